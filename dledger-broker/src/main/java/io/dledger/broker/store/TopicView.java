package io.dledger.broker.store;

/** A topic's queues and their readable offset ranges [minOffsets[q], maxOffsets[q]) at one moment. */
public record TopicView(String name, long[] minOffsets, long[] maxOffsets) {
    public int queues() {
        return minOffsets.length;
    }
}
