package io.dledger.broker.store;

/** A read the store cannot serve because of what was asked (not because of a failure). */
public final class ReadRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the read was rejected. */
    public enum Reason { TOPIC_NOT_FOUND, QUEUE_NOT_FOUND, OFFSET_OUT_OF_RANGE, TOPIC_REPLACED }

    private final Reason reason;
    private final long minOffset;
    private final long maxOffset;

    public ReadRejectedException(Reason reason, String message, long minOffset, long maxOffset) {
        super(message, null, false, false);
        this.reason = reason;
        this.minOffset = minOffset;
        this.maxOffset = maxOffset;
    }

    public Reason reason() {
        return reason;
    }

    public long minOffset() {
        return minOffset;
    }

    public long maxOffset() {
        return maxOffset;
    }
}
