package io.dledger.broker.check;

import io.dledger.client.DLedgerClient;
import io.dledger.client.DLedgerException;
import io.dledger.client.NodeView;
import io.dledger.client.ReplicaDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Whether every node stores the same messages of a topic at the same offsets, from each node's queue digests
 * ({@code AdminClient.queueDigests}: per queue its offsets and a SHA-256 over its messages). Nodes that applied
 * different Raft indexes may differ only for that (writes still arriving, a node catching up): {@link #await} asks
 * again until they agree or applied the same index, up to a timeout; a node that does not answer is recorded, not
 * waited for. Used by {@code dledger topic compare} and the failover benchmark. Immutable.
 *
 * @param digests   each answering node's digests, by node id, in the cluster's order
 * @param failed    the nodes that gave none, with why
 * @param identical whether every answering node's queues are the same
 * @param sameIndex whether every answering node had applied the same Raft index
 */
public record ReplicaComparison(Map<String, ReplicaDigest> digests, Map<String, String> failed, boolean identical,
                                boolean sameIndex) {
    private static final long RETRY_MS = 500;

    public ReplicaComparison {
        digests = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(digests));
        failed = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(failed));
    }

    /** True when at least one node answered, every member did, and all their replicas are identical. */
    public boolean ok() {
        return identical && failed.isEmpty() && !digests.isEmpty();
    }

    /** Compares {@code topic}'s replicas on every node {@code client} knows, asking again for up to {@code timeout}. */
    public static ReplicaComparison await(DLedgerClient client, String topic, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ReplicaComparison c = once(client, topic);
            if (c.identical || c.sameIndex || System.nanoTime() - deadline > 0) {
                return c;
            }
            TimeUnit.MILLISECONDS.sleep(RETRY_MS); // nodes at different applied indexes
        }
    }

    private static ReplicaComparison once(DLedgerClient client, String topic) {
        Map<String, ReplicaDigest> digests = new LinkedHashMap<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (NodeView n : client.admin().describeCluster().nodes()) {
            try {
                digests.put(n.id(), client.admin().queueDigests(n.id(), topic));
            } catch (DLedgerException e) {
                failed.put(n.id(), e.getMessage());
            }
        }
        return new ReplicaComparison(digests, failed,
                digests.values().stream().map(ReplicaDigest::queues).distinct().count() <= 1,
                digests.values().stream().mapToLong(ReplicaDigest::appliedIndex).distinct().count() <= 1);
    }
}
