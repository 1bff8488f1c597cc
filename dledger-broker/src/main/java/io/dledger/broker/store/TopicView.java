package io.dledger.broker.store;

/**
 * A topic's incarnation (see {@link TopicQueues}; 0 when unknown), its queues and their readable offset ranges
 * [minOffsets[q], maxOffsets[q]) at one moment.
 */
public record TopicView(String name, long incarnation, long[] minOffsets, long[] maxOffsets) {
    public int queues() {
        return minOffsets.length;
    }
}
