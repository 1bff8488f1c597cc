package io.dledger.client;

import java.util.List;

/**
 * What one node stores of a topic, queue by queue, as {@link AdminClient#queueDigests} reports it: equal
 * {@link #queues()} on two nodes mean equal replicas (same messages at the same offsets). Immutable, thread-safe.
 *
 * @param nodeId       the node that computed the digests
 * @param topic        topic name
 * @param appliedIndex the Raft index the node had applied when it computed them
 * @param queues       one entry per queue, by queue number (an immutable list)
 */
public record ReplicaDigest(String nodeId, String topic, long appliedIndex, List<QueueDigest> queues) {

    /**
     * Keeps an immutable copy of {@code queues}.
     *
     * @param nodeId       the node that computed the digests
     * @param topic        topic name
     * @param appliedIndex the Raft index the node had applied when it computed them
     * @param queues       one entry per queue, by queue number
     */
    public ReplicaDigest {
        queues = List.copyOf(queues);
    }

    /**
     * One queue of a replica.
     *
     * @param queue     queue number
     * @param minOffset smallest offset still stored
     * @param maxOffset offset one past the newest message
     * @param digest    SHA-256 (hex) over every stored message of the queue in offset order: offset, store
     *                  timestamp, key, tags, properties, body
     */
    public record QueueDigest(int queue, long minOffset, long maxOffset, String digest) {
    }
}
