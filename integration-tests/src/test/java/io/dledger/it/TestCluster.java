package io.dledger.it;

import static org.awaitility.Awaitility.await;

import io.dledger.broker.local.LocalCluster;
import io.dledger.broker.local.NodeProcess;
import io.dledger.client.ClusterView;
import io.dledger.client.DLedgerClient;
import io.dledger.client.NodeRole;
import io.dledger.client.NodeView;
import io.dledger.client.ReplicaDigest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A real cluster for a test: broker nodes as separate JVMs on 127.0.0.1 with free ports and their own
 * data directories (through {@link LocalCluster}, the same code as {@code dledger cluster up}), a client
 * connected to all of them, and the failure scenarios the tests share: kill the leader, restart a
 * node, wait for identical replicas. {@link #close()} stops every process it started and removes the nodes'
 * data, keeping their logs.
 */
public final class TestCluster implements AutoCloseable {
    private final LocalCluster cluster;
    private final DLedgerClient client;
    /** Nodes that should be running: started and not killed or stopped since. */
    private final java.util.Set<String> expectedUp = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private TestCluster(LocalCluster cluster, UnaryOperator<DLedgerClient.Builder> clientSettings) {
        this.cluster = cluster;
        this.client = clientSettings.apply(DLedgerClient.builder().seeds(cluster.seeds())
                .operationTimeout(Duration.ofSeconds(20))).build();
        cluster.nodes().forEach(n -> expectedUp.add(n.id()));
    }

    /** Starts {@code size} nodes in a fresh directory and waits for a leader. */
    public static TestCluster start(String name, int size, Map<String, String> settings) {
        return start(name, size, settings, b -> b);
    }

    /** {@link #start(String, int, Map)}, with {@code clientSettings} applied to the client's builder. */
    public static TestCluster start(String name, int size, Map<String, String> settings,
                                    UnaryOperator<DLedgerClient.Builder> clientSettings) {
        Path dir = Path.of("target", "it-clusters", name + "-" + System.nanoTime()).toAbsolutePath();
        LocalCluster local = LocalCluster.create(dir, size, 0, settings);
        local.startAll();
        TestCluster c = new TestCluster(local, clientSettings);
        ProcessCleanup.register(c);
        c.awaitEveryNodeFollowing(); // not only a majority: a test may ask any node at once
        return c;
    }

    public DLedgerClient client() {
        return client;
    }

    public LocalCluster local() {
        return cluster;
    }

    public List<String> nodeIds() {
        return cluster.nodes().stream().map(NodeProcess::id).toList();
    }

    /** Waits until the reachable nodes agree on one leader that reports itself LEADER; returns its id. */
    public String awaitLeader() {
        return await("a leader").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> agreedLeader(false), Optional::isPresent).orElseThrow();
    }

    /** Waits until every node that should run answers and follows one leader; returns the leader's id. */
    public String awaitEveryNodeFollowing() {
        return await("every node answering and following one leader").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> agreedLeader(true), Optional::isPresent)
                .orElseThrow();
    }

    private Optional<String> agreedLeader(boolean everyNode) {
        checkProcesses();
        ClusterView view = client.admin().describeCluster();
        List<NodeView> up = view.nodes().stream().filter(NodeView::reachable).toList();
        if (everyNode && !up.stream().map(NodeView::id).toList().containsAll(expectedUp)) {
            return Optional.empty();
        }
        Optional<NodeView> leader = up.stream().filter(n -> n.role() == NodeRole.LEADER).findFirst();
        if (leader.isEmpty()) {
            return Optional.empty();
        }
        String id = leader.get().id();
        boolean agreed = up.stream().allMatch(n -> id.equals(n.leaderId()));
        return agreed ? Optional.of(id) : Optional.empty();
    }

    /** Fails at once, with the node's log, when a node that should run has exited. */
    private void checkProcesses() {
        for (NodeProcess n : cluster.nodes()) {
            if (expectedUp.contains(n.id()) && !n.alive()) {
                throw new IllegalStateException("node " + n.id() + " exited unexpectedly:\n" + logTails(40));
            }
        }
    }

    /** {@code kill -9} of the current leader; returns its id. */
    public String killLeader() {
        String leader = awaitLeader();
        kill(leader);
        return leader;
    }

    public void kill(String id) {
        expectedUp.remove(id);
        cluster.kill(id);
    }

    public void restart(String id) {
        restart(id, Map.of());
    }

    /** Starts a stopped or killed node with {@code extraSettings} over the cluster's, for this run only. */
    public void restart(String id, Map<String, String> extraSettings) {
        cluster.start(id, extraSettings);
        expectedUp.add(id);
    }

    public void stop(String id) {
        expectedUp.remove(id);
        cluster.stop(id, Duration.ofSeconds(20));
    }

    /** Lays out and starts one more node that waits to be added to the group (see AdminClient.addNode). */
    public NodeProcess addNode() {
        NodeProcess n = cluster.start(cluster.addNode().id());
        expectedUp.add(n.id());
        await("node " + n.id() + " answers").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> {
                    checkProcesses();
                    try (DLedgerClient direct = DLedgerClient.builder().seeds(n.grpcAddress())
                            .operationTimeout(Duration.ofSeconds(2)).build()) {
                        return direct.admin().nodeStatus(n.id()) != null;
                    }
                });
        return n;
    }

    /** Drops a removed and stopped node from the cluster's books. */
    public void forget(String id) {
        expectedUp.remove(id);
        cluster.forget(id);
    }

    /**
     * Waits until every node runs and reports the same per-queue digests of {@code topic}; a node that does not have
     * the topic yet (one that joined moments ago, still installing a snapshot) answers {@code TOPIC_NOT_FOUND} until
     * it does, and is asked again.
     */
    public List<ReplicaDigest> awaitIdenticalReplicas(String topic) {
        return await("identical replicas of " + topic).atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .ignoreException(io.dledger.client.DLedgerException.class)
                .until(() -> digests(topic), TestCluster::allEqual);
    }

    private List<ReplicaDigest> digests(String topic) {
        checkProcesses();
        List<ReplicaDigest> out = new ArrayList<>();
        for (String id : nodeIds()) {
            out.add(client.admin().queueDigests(id, topic));
        }
        return out;
    }

    private static boolean allEqual(List<ReplicaDigest> ds) {
        return ds.stream().map(d -> d.queues().toString()).distinct().count() == 1;
    }

    /** The last lines of every node's log, for failure reports. */
    public String logTails(int lines) {
        StringBuilder sb = new StringBuilder();
        for (NodeProcess n : cluster.nodes()) {
            sb.append("----- ").append(n.id()).append(" (").append(n.logFile()).append(")\n");
            try {
                List<String> all = Files.readAllLines(n.logFile());
                sb.append(all.subList(Math.max(0, all.size() - lines), all.size()).stream()
                        .collect(Collectors.joining("\n"))).append('\n');
            } catch (IOException e) {
                sb.append("(no log: ").append(e.getMessage()).append(")\n");
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            cluster.stopAll(Duration.ofSeconds(10));
            ProcessCleanup.unregister(this);
            ClusterData.dropKeepingLogs(cluster.dir());
        }
    }
}
