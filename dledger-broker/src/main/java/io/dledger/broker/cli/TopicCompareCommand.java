package io.dledger.broker.cli;

import io.dledger.client.DLedgerClient;
import io.dledger.client.DLedgerException;
import io.dledger.client.NodeView;
import io.dledger.client.ReplicaDigest;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code dledger topic compare TOPIC}: whether every node stores the same messages of a topic at the same offsets, from
 * each node's queue digests ({@code AdminClient.queueDigests}: per queue its offsets and a SHA-256 over its messages).
 * Nodes that applied different Raft indexes may differ only for that (writes still arriving): the command asks again
 * until they agree or applied the same index, up to {@code --timeout}; a node that does not answer is reported, not
 * waited for. Exit 0 when every member's replica is identical, 1 when two differ at the same applied index, when they
 * still differ at the timeout, or when a member did not answer.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare a topic's replicas: whether every node stores the same messages at the same offsets.",
                "Asks each node for per-queue digests (SHA-256 over the queue's messages); while nodes differ only "
                        + "because they applied different Raft indexes (writes arriving), asks again, up to --timeout.",
                "Exit 0: identical on every node; 1: replicas differ, or a node did not answer."})
final class TopicCompareCommand implements Callable<Integer> {
    private static final long RETRY_MS = 500;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "TOPIC")
    String topic;

    @Override
    public Integer call() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(client.timeoutSeconds);
        try (DLedgerClient c = client.connect()) {
            c.admin().describeTopic(topic); // an unknown topic: TOPIC_NOT_FOUND, as from any topic command
            while (true) {
                Map<String, ReplicaDigest> digests = new LinkedHashMap<>();
                Map<String, String> failed = new LinkedHashMap<>();
                for (NodeView n : c.admin().describeCluster().nodes()) {
                    try {
                        digests.put(n.id(), c.admin().queueDigests(n.id(), topic));
                    } catch (DLedgerException e) {
                        failed.put(n.id(), e.getMessage());
                    }
                }
                boolean identical = digests.values().stream().map(ReplicaDigest::queues).distinct().count() <= 1;
                boolean sameIndex = digests.values().stream().mapToLong(ReplicaDigest::appliedIndex).distinct()
                        .count() <= 1;
                boolean timedOut = System.nanoTime() - deadline > 0;
                if (identical || sameIndex || timedOut) {
                    return report(topic, digests, failed, identical, sameIndex, System.out);
                }
                Thread.sleep(RETRY_MS); // nodes at different applied indexes: writes arriving, or one catching up
            }
        }
    }

    /**
     * Prints what the nodes' {@code digests} of {@code topic} say (nodes in {@code failed} gave none, with why);
     * returns the exit code.
     */
    static int report(String topic, Map<String, ReplicaDigest> digests, Map<String, String> failed, boolean identical,
                      boolean sameIndex, PrintStream out) {
        failed.forEach((id, why) -> out.println(id + ": no digests (" + why + ")"));
        if (digests.isEmpty()) {
            out.println(topic + ": no node answered");
            return 1;
        }
        List<String> ids = new ArrayList<>(digests.keySet());
        if (identical) {
            ReplicaDigest any = digests.values().iterator().next();
            long messages = any.queues().stream().mapToLong(q -> q.maxOffset() - q.minOffset()).sum();
            out.println(topic + ": identical on " + String.join(", ", ids) + " (" + any.queues().size()
                    + (any.queues().size() == 1 ? " queue, " : " queues, ") + messages
                    + (messages == 1 ? " message" : " messages") + ")"
                    + (failed.isEmpty() ? "" : "; not compared: " + String.join(", ", failed.keySet())));
            return failed.isEmpty() ? 0 : 1;
        }
        out.println(topic + ": replicas differ" + (sameIndex ? " at the same applied index"
                : " (still, at the timeout: writes may be arriving; compare again when they stop)"));
        ReplicaDigest first = digests.get(ids.get(0));
        for (int q = 0; q < first.queues().size(); q++) {
            int queue = q;
            if (digests.values().stream().map(d -> d.queues().size() > queue ? d.queues().get(queue) : null)
                    .distinct().count() > 1) {
                StringBuilder line = new StringBuilder("  queue " + queue + ":");
                digests.forEach((id, d) -> {
                    ReplicaDigest.QueueDigest qd = d.queues().size() > queue ? d.queues().get(queue) : null;
                    line.append(' ').append(id).append(qd == null ? " (none)" : " [" + qd.minOffset() + ", "
                            + qd.maxOffset() + ") " + qd.digest().substring(0, Math.min(12, qd.digest().length())));
                });
                out.println(line);
            }
        }
        digests.forEach((id, d) -> out.println("  " + id + " applied index " + d.appliedIndex()));
        return 1;
    }
}
