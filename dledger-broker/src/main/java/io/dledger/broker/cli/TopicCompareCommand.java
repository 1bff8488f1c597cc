package io.dledger.broker.cli;

import io.dledger.broker.check.ReplicaComparison;
import io.dledger.client.DLedgerClient;
import io.dledger.client.ReplicaDigest;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code dledger topic compare TOPIC}: prints a {@link ReplicaComparison} of the topic (asked again while nodes differ
 * only by applied index, up to {@code --timeout}). Exit 0 when every member's replica is identical, 1 when two differ
 * at the same applied index, when they still differ at the timeout, or when a member did not answer.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare a topic's replicas: whether every node stores the same messages at the same offsets.",
                "Asks each node for per-queue digests (SHA-256 over the queue's messages); while nodes differ only "
                        + "because they applied different Raft indexes (writes arriving), asks again, up to --timeout.",
                "Exit 0: identical on every node; 1: replicas differ, or a node did not answer."})
final class TopicCompareCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "TOPIC")
    String topic;

    @Override
    public Integer call() throws InterruptedException {
        try (DLedgerClient c = client.connect()) {
            c.admin().describeTopic(topic); // an unknown topic: TOPIC_NOT_FOUND, as from any topic command
            ReplicaComparison r = ReplicaComparison.await(c, topic, Duration.ofSeconds(client.timeoutSeconds));
            return report(topic, r, System.out);
        }
    }

    /** Prints what comparison {@code r} of {@code topic} found; returns the exit code. */
    static int report(String topic, ReplicaComparison r, PrintStream out) {
        Map<String, ReplicaDigest> digests = r.digests();
        Map<String, String> failed = r.failed();
        boolean identical = r.identical();
        boolean sameIndex = r.sameIndex();
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
