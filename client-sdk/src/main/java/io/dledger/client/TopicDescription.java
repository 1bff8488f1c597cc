package io.dledger.client;

import java.util.List;

/**
 * A topic and the offsets of its queues, as seen by the node that answered (the leader). Immutable, thread-safe.
 *
 * @param topic       topic name
 * @param queues      number of queues
 * @param queueRanges one entry per queue (an immutable list)
 * @param incarnation the topic's incarnation (see {@link PullResult#topicIncarnation()}; {@code 0}: unknown)
 */
public record TopicDescription(String topic, int queues, List<QueueRange> queueRanges, long incarnation) {

    /**
     * Keeps an immutable copy of {@code queueRanges}.
     *
     * @param topic       topic name
     * @param queues      number of queues
     * @param queueRanges one entry per queue
     * @param incarnation the topic's incarnation ({@code 0}: unknown)
     */
    public TopicDescription {
        queueRanges = List.copyOf(queueRanges);
    }

    /**
     * A description without a known incarnation (the form before incarnations existed).
     *
     * @param topic       topic name
     * @param queues      number of queues
     * @param queueRanges one entry per queue
     */
    public TopicDescription(String topic, int queues, List<QueueRange> queueRanges) {
        this(topic, queues, queueRanges, 0);
    }
}
