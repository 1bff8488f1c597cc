package io.dledger.broker.store;

/** Outcome of applying a consumer group's offset commit. */
public record OffsetsResult(Status status, String detail) {

    /** What happened to the command. */
    public enum Status { OK, TOPIC_NOT_FOUND, QUEUE_NOT_FOUND, OFFSET_OUT_OF_RANGE }
}
