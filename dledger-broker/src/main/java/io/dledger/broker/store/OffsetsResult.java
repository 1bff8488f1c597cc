package io.dledger.broker.store;

/**
 * Outcome of applying a consumer group's offset commit; for {@link Status#OFFSET_OUT_OF_RANGE} the range a commit
 * may name ({@code maxOffset} is the queue's end), otherwise both 0.
 */
public record OffsetsResult(Status status, String detail, long minOffset, long maxOffset) {

    public OffsetsResult(Status status, String detail) {
        this(status, detail, 0, 0);
    }

    /** What happened to the command. */
    public enum Status { OK, TOPIC_NOT_FOUND, QUEUE_NOT_FOUND, OFFSET_OUT_OF_RANGE, TOPIC_REPLACED, LIMIT_EXCEEDED }
}
