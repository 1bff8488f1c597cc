package io.dledger.client;

import java.util.List;

/**
 * A topic and the offsets of its queues, as seen by the node that answered (the leader). Immutable, thread-safe.
 *
 * @param topic       topic name
 * @param queues      number of queues
 * @param queueRanges one entry per queue (an immutable list)
 */
public record TopicDescription(String topic, int queues, List<QueueRange> queueRanges) {

    /**
     * Keeps an immutable copy of {@code queueRanges}.
     *
     * @param topic       topic name
     * @param queues      number of queues
     * @param queueRanges one entry per queue
     */
    public TopicDescription {
        queueRanges = List.copyOf(queueRanges);
    }
}
