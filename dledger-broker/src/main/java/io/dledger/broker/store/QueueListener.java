package io.dledger.broker.store;

/** Learns that new messages of a queue became readable. Called on the state machine thread: keep it short. */
@FunctionalInterface
public interface QueueListener {
    void published(String topic, int queue);
}
