package io.dledger.broker.group;

/** A change of a group's offsets the leader refuses ({@link GroupCoordinator#beginOffsetsChange}), and why. */
public final class OffsetsChangeRefusedException extends RuntimeException {
    /** Why: only {@code LIVE_MEMBERS} needs someone to act; the others pass by themselves. */
    public enum Reason { SETTLING, IN_FLIGHT, LIVE_MEMBERS }

    private final Reason reason;

    OffsetsChangeRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
