package io.dledger.broker.cli;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import io.dledger.broker.local.LocalCluster;
import io.dledger.broker.local.NodeProcess;
import io.dledger.client.ClusterView;
import io.dledger.client.DLedgerClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dledger cluster up|down|status}: a local cluster of separate node processes on 127.0.0.1. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Start, stop and inspect a local cluster (separate JVMs on 127.0.0.1).",
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Down.class, ClusterCommand.Status.class})
final class ClusterCommand {

    static Path defaultDir() {
        String home = System.getenv("DLEDGER_HOME");
        return Path.of(home == null || home.isBlank() ? ".dledger" : home, "cluster").toAbsolutePath();
    }

    /** Options naming the cluster directory. */
    static final class DirOption {
        @Option(names = "--dir", description = "cluster directory (default: $DLEDGER_HOME/cluster)")
        Path dir;

        Path resolve() {
            return dir == null ? defaultDir() : dir.toAbsolutePath();
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start the nodes (reusing their data if the cluster ran here before) and wait for a leader.")
    static final class Up implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DirOption dir = new DirOption();

        @Option(names = "--nodes", defaultValue = "3", description = "number of nodes (default: ${DEFAULT-VALUE})")
        int nodes;

        @Option(names = "--base-port", defaultValue = "9000",
                description = "node i gets Raft port BASE+i and gRPC port BASE+100+i; 0 picks free ports "
                        + "(default: ${DEFAULT-VALUE})")
        int basePort;

        @Option(names = "--set", description = "node setting key=value for every node (repeatable)")
        Map<String, String> settings = new LinkedHashMap<>();

        @Override
        public Integer call() {
            Path d = dir.resolve();
            LocalCluster cluster;
            if (LocalCluster.exists(d)) {
                cluster = LocalCluster.load(d);
                if (cluster.nodes().stream().anyMatch(NodeProcess::alive)) {
                    System.err.println("a cluster already runs from " + d + "; see 'dledger cluster status'");
                    return 1;
                }
                System.out.println("restarting the cluster in " + d + " with its data");
            } else {
                cluster = LocalCluster.create(d, nodes, basePort, settings);
            }
            cluster.startAll();
            ClusterView view = awaitLeader(cluster, Duration.ofSeconds(90));
            if (view == null) {
                System.err.println("no leader within 90 s; node logs are in " + d + "/<node>/node.log");
                return 1;
            }
            ClusterTable.print(view, System.out);
            System.out.println();
            System.out.println("servers: " + cluster.seeds());
            System.out.println("logs:    " + d + "/<node>/node.log");
            System.out.println("stop:    bin/dledger cluster down");
            return 0;
        }
    }

    /** Polls the nodes until one is leader and every running node agrees; null on timeout. */
    static ClusterView awaitLeader(LocalCluster cluster, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (DLedgerClient c = DLedgerClient.builder().seeds(cluster.seeds()).requestTimeout(Duration.ofSeconds(2))
                .operationTimeout(Duration.ofSeconds(5)).build()) {
            while (System.nanoTime() < deadline) {
                try {
                    ClusterView v = c.admin().describeCluster();
                    if (v.leaderId() != null && v.nodes().stream().filter(n -> n.reachable())
                            .allMatch(n -> v.leaderId().equals(n.leaderId()))) {
                        return v;
                    }
                } catch (RuntimeException e) {
                    // nodes still starting
                }
                for (NodeProcess n : cluster.nodes()) {
                    if (n.pid() > 0 && !n.alive()) {
                        System.err.println("node " + n.id() + " exited; see " + n.logFile());
                        return null;
                    }
                }
                sleep(200);
            }
        }
        return null;
    }

    static void sleep(long ms) {
        try {
            MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop exactly the node processes 'cluster up' started (SIGTERM, then SIGKILL).")
    static final class Down implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DirOption dir = new DirOption();

        @Option(names = "--purge", description = "also delete the cluster's data")
        boolean purge;

        @Override
        public Integer call() throws IOException {
            Path d = dir.resolve();
            if (!LocalCluster.exists(d)) {
                System.out.println("no local cluster in " + d);
                return 0;
            }
            LocalCluster cluster = LocalCluster.load(d);
            for (NodeProcess n : cluster.nodes()) {
                System.out.println(n.alive() ? "stopping " + n.id() + " (pid " + n.pid() + ")"
                        : n.id() + " is not running");
            }
            cluster.stopAll(Duration.ofSeconds(15));
            if (purge) {
                try (Stream<Path> s = Files.walk(d)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
                System.out.println("deleted " + d);
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the local cluster's processes and what each node reports.")
    static final class Status implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        DirOption dir = new DirOption();

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() {
            Path d = dir.resolve();
            if (!LocalCluster.exists(d)) {
                System.err.println("no local cluster in " + d + "; start one with 'dledger cluster up'");
                return 1;
            }
            LocalCluster cluster = LocalCluster.load(d);
            try (DLedgerClient c = DLedgerClient.builder().seeds(cluster.seeds()).requestTimeout(Duration.ofSeconds(2))
                    .operationTimeout(Duration.ofSeconds(5)).build()) {
                ClusterView view = c.admin().describeCluster();
                if (json) {
                    System.out.println(ClusterTable.json(view));
                    return 0;
                }
                for (NodeProcess n : cluster.nodes()) {
                    System.out.printf("%-4s pid %-8s %s  data %s%n", n.id(), n.alive() ? n.pid() : "-",
                            n.alive() ? "running" : "stopped", n.dataDir());
                }
                System.out.println();
                ClusterTable.print(view, System.out);
                return 0;
            }
        }
    }
}
