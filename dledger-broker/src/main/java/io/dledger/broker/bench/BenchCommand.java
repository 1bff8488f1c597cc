package io.dledger.broker.bench;

import io.dledger.broker.cli.ClusterTable;
import io.dledger.broker.cli.CredentialOptions;
import io.dledger.broker.local.LocalClients;
import io.dledger.broker.local.LocalCluster;
import io.dledger.broker.local.NodeAccess;
import io.dledger.client.ClusterView;
import io.dledger.client.DLedgerClient;
import io.dledger.client.DLedgerException;
import io.dledger.client.ErrorCode;
import io.dledger.client.NodeView;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dledger bench produce|consume|failover|all|raft}: benchmarks that print one
 * {@code RESULT peer=dledger metric=... value=...} line per figure. With {@code --local} the benchmark
 * starts its own three-node cluster of separate processes and removes it afterwards; {@code raft} always does,
 * with nodes that run the Raft layer alone ({@link RaftBench}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure produce, consume and failover, or the Raft layer alone; prints RESULT lines.")
public final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "WHAT", description = "produce, consume, failover, all (those three) or raft "
            + "(the Raft layer alone, on nodes of its own)")
    String what;

    @Option(names = {"-s", "--servers"}, description = "an existing cluster's gRPC addresses (default, without "
            + "--local: the local cluster started by 'dledger cluster up', if there is one)")
    String servers;

    @Mixin
    CredentialOptions credentials = new CredentialOptions();

    @Option(names = "--local", description = "start a local 3-node cluster for the run and remove it afterwards "
            + "(bench raft always does); the client of a local cluster (this one, or the one of 'cluster up') "
            + "trusts the nodes' grpc.tls.cert and sends their first token unless --tls-ca or --token-file say "
            + "otherwise (the environment does not)")
    boolean local;

    @Option(names = "--local-dir", description = "a new directory where --local or bench raft puts its cluster, kept "
            + "afterwards (default: a temp directory, removed)")
    Path localDir;

    @Option(names = "--set", description = "node setting key=value for the --local or bench raft cluster "
            + "(repeatable)")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--threads", split = ",", defaultValue = "1,8,32", description = "producer threads, or bench "
            + "raft's threads applying entries, one phase each in this order (default: ${DEFAULT-VALUE})")
    List<Integer> threads;

    @Option(names = "--size", defaultValue = "1024", description = "message (bench raft: entry) size in bytes "
            + "(default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--warmup", defaultValue = "5", description = "warm-up seconds per phase "
            + "(default: ${DEFAULT-VALUE})")
    int warmupSecs;

    @Option(names = "--jit-warmup", defaultValue = "120", description = "before the first produce phase, send at "
            + "the most threads until the JIT compilers of the nodes and of this client have settled, for at most this "
            + "many seconds, also against a running cluster, where it writes that much more (0: no such warm-up; "
            + "default: ${DEFAULT-VALUE})")
    int jitWarmupSecs;

    @Option(names = "--duration", defaultValue = "20", description = "measured seconds per phase "
            + "(default: ${DEFAULT-VALUE})")
    int durationSecs;

    @Option(names = "--mode", defaultValue = "sync", description = "sync or async (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--inflight", defaultValue = "64", description = "async sends outstanding per thread "
            + "(default: ${DEFAULT-VALUE})")
    int inflight;

    @Option(names = "--queues", defaultValue = "8", description = "queues of the benchmark topics "
            + "(default: ${DEFAULT-VALUE})")
    int queues;

    @Option(names = "--messages", defaultValue = "200000", description = "messages the consume benchmark reads "
            + "(default: ${DEFAULT-VALUE})")
    long messages;

    @Option(names = "--consumer-threads", defaultValue = "4", description = "consumer threads "
            + "(default: ${DEFAULT-VALUE})")
    int consumerThreads;

    @Option(names = "--windows", defaultValue = "1", description = "measured windows per produce or raft phase, "
            + "back to back after its warm-up, and measured full reads for consume; each RESULT is then their "
            + "median, errors their sum (default: ${DEFAULT-VALUE})")
    int windows;

    @Option(names = "--trials", defaultValue = "3", description = "failover trials (default: ${DEFAULT-VALUE})")
    int trials;

    @Override
    public Integer call() throws Exception {
        if (!List.of("produce", "consume", "failover", "all", "raft").contains(what)) {
            System.err.println("error: unknown benchmark '" + what + "': use produce, consume, failover, all or raft");
            return 2;
        }
        String invalid = invalidNumber();
        if (invalid != null) {
            System.err.println("error: " + invalid);
            return 2;
        }
        if (!List.of("sync", "async").contains(mode)) {
            System.err.println("error: --mode is sync or async, not '" + mode + "'");
            return 2;
        }
        if (localDir != null && LocalCluster.exists(localDir)) { // its Raft data names other ports: no leader
            System.err.println("error: " + localDir + " holds the cluster of an earlier run; remove it or give another "
                    + "--local-dir");
            return 2;
        }
        if (what.equals("raft")) {
            if (servers != null || !mode.equals("sync") || credentials.given()) {
                System.err.println("error: bench raft measures the Raft layer alone on nodes it starts itself, each "
                        + "thread waiting for its entry: it takes no --servers, --tls-ca, --token-file or --mode "
                        + "async");
                return 2;
            }
            return runRaft();
        }
        LocalCluster running = null;
        if (!local && (servers == null || servers.isBlank())) {
            Path dir = LocalCluster.defaultDir();
            if (!LocalCluster.exists(dir)) { // never $DLEDGER_SERVERS: a benchmark is not sent anywhere by default
                System.err.println("error: give --servers host:port,... (an existing cluster) or --local (a cluster of "
                        + "its own); no local cluster from 'dledger cluster up' runs in " + dir);
                return 2;
            }
            running = LocalCluster.load(dir);
            servers = running.seeds();
        }
        // a local cluster's client trusts its nodes' certificate and sends their token, unless the options say
        // otherwise (not the environment, which may be meant for another cluster); read before anything starts
        NodeAccess given = credentials.resolved(local || running != null);
        if (!local && (what.equals("failover") || what.equals("all"))) {
            System.err.println("error: the failover benchmark kills node processes: it needs --local");
            return 2;
        }
        BenchReport report = new BenchReport(System.out);
        report.comment("load average at start: " + BenchReport.loadAverage() + " (" + Runtime.getRuntime()
                .availableProcessors() + " cpus)");
        BenchCluster own = null;
        try {
            if (local) {
                own = BenchCluster.create(localDir, "dledger-bench", settings, null).orElse(null);
                if (own == null) {
                    return 2;
                }
                own.cluster().startAll();
                report.comment("local cluster in " + own.dir() + ": " + own.cluster().seeds());
            }
            LocalCluster cluster = own != null ? own.cluster() : null;
            if (!local) {
                report.comment("cluster: " + servers);
            }
            LocalCluster started = cluster != null ? cluster : running; // its nodes' TLS and token settings apply
            DLedgerClient.Builder builder = started != null ? LocalClients.builder(started)
                    : DLedgerClient.builder().seeds(servers);
            NodeAccess metricsAccess = given.over(started != null ? LocalClients.httpAccess(started) : NodeAccess.NONE);
            try (DLedgerClient client = given.applyTo(builder).operationTimeout(Duration.ofSeconds(30)).build()) {
                awaitLeader(client, !local);
                run(client, cluster, metricsAccess, report);
            }
        } finally {
            if (own != null) {
                own.close();
            }
            report.comment("load average at end: " + BenchReport.loadAverage());
        }
        if (!report.failures().isEmpty()) {
            System.err.println("error: " + String.join("; ", report.failures()));
            return 1;
        }
        return 0;
    }

    private void run(DLedgerClient client, LocalCluster cluster, NodeAccess metricsAccess, BenchReport report)
            throws Exception {
        String suffix = Long.toString(System.currentTimeMillis(), 36);
        if (what.equals("produce") || what.equals("all")) {
            String topic = "bench-produce-" + suffix;
            client.admin().createTopic(topic, queues);
            ProduceBench.Mode m = ProduceBench.Mode.valueOf(mode.toUpperCase());
            try {
                new ProduceBench(client, new ProduceBench.Options(topic, size, threads, Duration.ofSeconds(warmupSecs),
                        Duration.ofSeconds(durationSecs), m, inflight, windows, Duration.ofSeconds(jitWarmupSecs)),
                        metricsAccess, report).run();
            } finally {
                removeFromExistingCluster(client, cluster, topic, report);
            }
        }
        if (what.equals("consume") || what.equals("all")) {
            String topic = "bench-consume-" + suffix;
            client.admin().createTopic(topic, queues);
            try {
                ConsumeBench c = new ConsumeBench(client, report);
                c.fill(topic, messages, size);
                c.run(topic, consumerThreads, Duration.ofSeconds(warmupSecs), windows);
            } finally {
                removeFromExistingCluster(client, cluster, topic, report);
            }
        }
        if (what.equals("failover") || what.equals("all")) {
            String topic = "bench-failover-" + suffix;
            client.admin().createTopic(topic, queues);
            new FailoverBench(cluster, client, report, topic).run(trials);
        }
    }

    /** {@code bench raft}: a local cluster of Raft-only nodes (see {@link RaftBench}), removed afterwards. */
    private int runRaft() throws IOException, InterruptedException {
        List<String> command = List.of("raft-bench-node", "--threads=" + String.join(",",
                threads.stream().map(String::valueOf).toList()), "--size=" + size, "--warmup=" + warmupSecs,
                "--duration=" + durationSecs, "--windows=" + windows, "--parent-pid=" + ProcessHandle.current().pid());
        BenchCluster own = BenchCluster.create(localDir, "dledger-bench-raft", settings, command).orElse(null);
        if (own == null) {
            return 2;
        }
        System.out.println("# the Raft layer alone: three nodes in " + own.dir() + " with the broker's Raft settings, "
                + "no broker; the load runs in the leader");
        try (own) {
            long secs = threads.size() * (warmupSecs + (long) windows * durationSecs) + 120;
            return new RaftBench(own.cluster(), System.out, own::stopping).run(Duration.ofSeconds(secs)) ? 0 : 1;
        }
    }

    /** The first option whose number makes no sense, as an error message; null when all are fine. */
    private String invalidNumber() {
        if (threads.stream().anyMatch(t -> t < 1)) {
            return "--threads takes thread counts of at least 1: " + threads;
        }
        Map<String, Long> atLeastOne = new LinkedHashMap<>();
        atLeastOne.put("--size", (long) size);
        atLeastOne.put("--duration", (long) durationSecs);
        atLeastOne.put("--windows", (long) windows);
        atLeastOne.put("--inflight", (long) inflight);
        atLeastOne.put("--queues", (long) queues);
        atLeastOne.put("--messages", messages);
        atLeastOne.put("--consumer-threads", (long) consumerThreads);
        atLeastOne.put("--trials", (long) trials);
        for (Map.Entry<String, Long> e : atLeastOne.entrySet()) {
            if (e.getValue() < 1) {
                return e.getKey() + " must be at least 1: " + e.getValue();
            }
        }
        if (jitWarmupSecs < 0) {
            return "--jit-warmup must be at least 0: " + jitWarmupSecs;
        }
        return warmupSecs < 0 ? "--warmup must be at least 0: " + warmupSecs : null;
    }

    /** Deletes a benchmark's topic from a cluster the benchmark did not start (a --local one is removed whole). */
    private static void removeFromExistingCluster(DLedgerClient client, LocalCluster cluster, String topic,
            BenchReport report) {
        if (cluster != null) {
            return;
        }
        try {
            client.admin().deleteTopic(topic);
            report.comment("removed topic " + topic);
        } catch (DLedgerException e) {
            report.comment("could not remove topic " + topic + ": " + e.getMessage());
        }
    }

    /** Waits for a leader; an existing cluster ({@code running}) of which no node answers fails at once. */
    private static void awaitLeader(DLedgerClient client, boolean running) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                ClusterView view = client.admin().describeCluster();
                if (view.leaderId() != null) {
                    return;
                }
                if (ClusterTable.refusedByEveryNode(view)
                        || running && view.nodes().stream().noneMatch(NodeView::reachable)) {
                    throw new IllegalStateException(ClusterTable.unreachable(view, "give --servers, or --local for a "
                            + "cluster of its own"));
                }
            } catch (DLedgerException e) {
                if (e.code() == ErrorCode.UNAUTHENTICATED) {
                    throw e; // not a node that is starting: it will not take this client
                }
                // starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no leader within 90 s");
    }
}
