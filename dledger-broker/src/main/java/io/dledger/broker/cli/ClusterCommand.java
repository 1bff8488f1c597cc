package io.dledger.broker.cli;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import io.dledger.broker.config.ConfigException;
import io.dledger.broker.local.LocalClients;
import io.dledger.broker.local.LocalCluster;
import io.dledger.broker.local.NodeProcess;
import io.dledger.broker.store.FileTree;
import io.dledger.client.ClusterView;
import io.dledger.client.DLedgerClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dledger cluster up|down|status|kill}: a local cluster of separate node processes on 127.0.0.1 ({@code up}
 * waits for it to settle through {@link ClusterReadiness}). One command per process; not shared.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Start, stop and inspect a local cluster (separate JVMs on 127.0.0.1).",
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Down.class, ClusterCommand.Status.class,
            ClusterCommand.Kill.class, ClusterRestartCommand.class, ClusterMemberCommands.AddNode.class,
            ClusterMemberCommands.RemoveNode.class})
final class ClusterCommand {

    static Path defaultDir() {
        return LocalCluster.defaultDir();
    }

    /** Options naming the cluster directory. */
    static final class DirOption {
        @Option(names = "--dir", description = "cluster directory (default: $DLEDGER_HOME/cluster)")
        Path dir;

        Path resolve() {
            return dir == null ? defaultDir() : dir.toAbsolutePath().normalize();
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start the nodes that are not running (reusing their data if the cluster ran here "
                    + "before) and wait until every node follows one leader.")
    static final class Up implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Mixin
        DirOption dir = new DirOption();

        @Option(names = "--nodes", defaultValue = "3", description = "number of nodes (default: ${DEFAULT-VALUE})")
        int nodes;

        @Option(names = "--base-port", defaultValue = "9000",
                description = "node i (1, 2, ...) gets Raft port BASE+i, gRPC port BASE+100+i and HTTP port "
                        + "BASE+200+i; 0 picks free ports (default: ${DEFAULT-VALUE}: 9001, 9101, 9201 for n1)")
        int basePort;

        @Option(names = "--set", description = "node setting key=value for every node (repeatable)")
        Map<String, String> settings = new LinkedHashMap<>();

        @Override
        public Integer call() {
            Path d = dir.resolve();
            LocalCluster cluster;
            if (LocalCluster.exists(d)) {
                cluster = LocalCluster.load(d);
                var parsed = spec.commandLine().getParseResult();
                boolean otherNodes = parsed.hasMatchedOption("--nodes") && nodes != cluster.nodes().size();
                boolean otherPorts = parsed.hasMatchedOption("--base-port") && (basePort == 0
                        || cluster.nodes().get(0).peer().raftPort() != basePort + 1);
                boolean otherSettings = parsed.hasMatchedOption("--set")
                        && !cluster.settings().entrySet().containsAll(settings.entrySet());
                if (otherNodes || otherPorts || otherSettings) { // the same again is no news
                    System.err.println("note: " + d + " already holds a cluster; its layout and settings are kept "
                            + "(--nodes, --base-port and --set apply to new clusters; first: bin/dledger cluster down "
                            + "--purge" + dirFlag(d) + ")");
                }
            } else {
                String unfit = LocalCluster.unfitForNewCluster(d);
                if (unfit != null) {
                    System.err.println("error: " + unfit);
                    return 2;
                }
                cluster = LocalCluster.create(d, nodes, basePort, settings);
                try {
                    cluster.checkSettings(); // before anything is written or started
                } catch (ConfigException e) {
                    System.err.println("error: " + e.getMessage());
                    return 2;
                }
            }
            List<String> started = cluster.startAll();
            System.out.println(started.isEmpty() ? "every node already runs" : "started " + String.join(", ", started));
            // Ctrl-C while this command waits reaches the nodes it started too (they share its terminal's process
            // group): say so
            ClusterView view;
            try (InterruptNotice interrupted = started.isEmpty() ? null : new InterruptNotice(() -> "interrupted: "
                    + String.join(", ", started) + ", started by this command, got the interrupt too and stop; start "
                    + "them again with: bin/dledger cluster up" + dirFlag(d))) {
                view = ClusterReadiness.awaitLeader(cluster, Duration.ofSeconds(90));
            }
            String dirFlag = dirFlag(d);
            if (view == null) {
                List<NodeProcess> exited = cluster.nodes().stream().filter(n -> started.contains(n.id()) && !n.alive())
                        .toList();
                if (exited.isEmpty()) {
                    System.err.println("error: the cluster did not settle on a leader within 90 s; node logs are in "
                            + d + "/<node>/node.log; see: bin/dledger cluster status" + dirFlag);
                    return 1;
                }
                exited.forEach(n -> System.err.println("node " + n.id() + " exited at start; see " + n.logFile()));
                // a half-started cluster only confuses (and may disturb whatever took the failed node's place)
                for (String id : started) {
                    if (cluster.node(id).alive()) {
                        cluster.stop(id, Duration.ofSeconds(10));
                        System.err.println("stopped " + id + ", which this command had started");
                    }
                }
                return 1;
            }
            ClusterTable.print(view, System.out);
            System.out.println();
            System.out.println("servers: " + cluster.seeds());
            if (!d.equals(defaultDir())) { // client commands find only the default directory's cluster themselves
                String options = LocalClients.clientOptions(cluster);
                System.out.println("clients: " + (options.equals("-s " + cluster.seeds())
                        ? "export DLEDGER_SERVERS=" + cluster.seeds() + "   (or -s on each command)"
                        : "give each command " + options));
            }
            System.out.println("status:  " + statusCommand(cluster));
            System.out.println("logs:    " + d + "/<node>/node.log");
            System.out.println("stop:    bin/dledger cluster down" + dirFlag);
            return 0;
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true,
            description = "SIGKILL one node of the local cluster (kill -9), e.g. to watch a re-election.")
    static final class Kill implements Callable<Integer> {
        private static final Duration LEADER_WAIT = Duration.ofSeconds(15);

        @picocli.CommandLine.Mixin
        DirOption dir = new DirOption();

        @picocli.CommandLine.Parameters(arity = "0..1", paramLabel = "NODE", description = "node id, e.g. n2")
        String node;

        @Option(names = "--leader", description = "kill whichever node is the leader")
        boolean leader;

        @Override
        public Integer call() {
            if (leader && node != null) {
                System.err.println("error: name a node or give --leader, not both");
                return 2;
            }
            LocalCluster cluster = LocalCluster.load(dir.resolve());
            String target = node;
            if (leader && cluster.nodes().stream().noneMatch(NodeProcess::alive)) {
                System.err.println("error: no node of this cluster is running; start it with: bin/dledger cluster up"
                        + dirFlag(dir.resolve()));
                return 1;
            }
            if (leader) {
                long deadline = System.nanoTime() + LEADER_WAIT.toNanos(); // an election may be running
                try (DLedgerClient c = LocalClients.builder(cluster)
                        .requestTimeout(Duration.ofSeconds(2)).operationTimeout(Duration.ofSeconds(5)).build()) {
                    while (target == null && System.nanoTime() < deadline) {
                        try {
                            target = c.admin().describeCluster().leaderId();
                        } catch (RuntimeException e) {
                            // no node answered this time
                        }
                        if (target == null) {
                            sleep(200);
                        }
                    }
                }
                if (target == null) {
                    System.err.println("error: no leader elected within " + LEADER_WAIT.toSeconds() + " s; see: "
                            + "bin/dledger cluster status" + dirFlag(dir.resolve()));
                    return 1;
                }
            }
            if (target == null) {
                System.err.println("error: name a node or give --leader");
                return 2;
            }
            NodeProcess n = cluster.node(target);
            if (!n.alive()) {
                System.err.println("error: " + target + " is not running");
                return 1;
            }
            cluster.kill(target);
            String dirFlag = dirFlag(dir.resolve());
            System.out.println("killed " + target + " (pid " + n.pid() + ") with SIGKILL");
            System.out.println("status:      " + statusCommand(cluster));
            System.out.println("start again: bin/dledger cluster up" + dirFlag);
            return 0;
        }
    }

    /** {@code --dir} with cluster directory {@code d} as a command line takes it; empty for the default one. */
    static String dirFlag(Path d) {
        return d.equals(defaultDir()) ? "" : " --dir " + LocalClients.shellWord(d);
    }

    /**
     * The status command for {@code cluster}: client commands reach the default cluster by themselves, another with
     * its servers, certificate and token file.
     */
    static String statusCommand(LocalCluster cluster) {
        return "bin/dledger status" + (cluster.dir().equals(defaultDir()) ? "" : " "
                + LocalClients.clientOptions(cluster));
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
                FileTree.deleteRecursively(d);
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
                System.err.println("error: no local cluster in " + d + "; start one with 'dledger cluster up'");
                return 1;
            }
            LocalCluster cluster = LocalCluster.load(d);
            try (DLedgerClient c = LocalClients.builder(cluster).requestTimeout(Duration.ofSeconds(2))
                    .operationTimeout(Duration.ofSeconds(5)).build()) {
                ClusterView view = c.admin().describeCluster();
                int exit = ClusterTable.exitCode(view); // as status's
                if (json) {
                    System.out.println(ClusterTable.json(view, cluster.nodes()));
                    return exit;
                }
                for (NodeProcess n : cluster.nodes()) {
                    boolean alive = n.alive();
                    System.out.printf("%-4s pid %-8s %s  data %s%n", n.id(), alive ? n.pid() : "-",
                            alive ? "running" : "stopped", n.dataDir());
                }
                if (exit == 1) { // no node answers: an error, with what to run for this cluster
                    System.err.println("error: " + ClusterTable.unreachable(view, "start it with: bin/dledger "
                            + "cluster up" + dirFlag(d)));
                    return exit;
                }
                System.out.println();
                ClusterTable.print(view, System.out);
                return exit;
            }
        }
    }
}
