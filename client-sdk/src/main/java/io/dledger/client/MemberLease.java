package io.dledger.client;

import java.util.concurrent.TimeUnit;

/**
 * A group member's hold on its queues, as the member can know it: from the send time of its last answered
 * heartbeat (the broker received it no earlier) for the session minus a margin of one heartbeat interval (at most
 * half the session). The broker gives the queues away a session after it last heard from the member, so while the
 * lease lasts no other member holds them. Times are {@link System#nanoTime} values.
 *
 * <p>Thread-safe: volatile fields, each written by the heartbeat thread only.
 */
final class MemberLease {
    private volatile long heartbeatMs = 1000;
    private volatile long sessionTimeoutMs = 4000;
    private volatile long lastAnsweredSend = System.nanoTime();

    /** A heartbeat sent at {@code sentNanos} was answered with these intervals. */
    void answered(long sentNanos, long heartbeatMs, long sessionTimeoutMs) {
        this.heartbeatMs = Math.max(100, heartbeatMs);
        this.sessionTimeoutMs = Math.max(this.heartbeatMs, sessionTimeoutMs);
        this.lastAnsweredSend = sentNanos;
    }

    long heartbeatMs() {
        return heartbeatMs;
    }

    /** Nanoseconds the lease has left at {@code now} (zero or less: over). */
    long leftNanos(long now) {
        long session = sessionTimeoutMs;
        return lastAnsweredSend + TimeUnit.MILLISECONDS.toNanos(session - Math.min(heartbeatMs, session / 2)) - now;
    }

    /**
     * Milliseconds from {@code now} to the next heartbeat: an interval, but no later than the end of the lease, so a
     * member whose heartbeats fail fast stops consuming in time (an interval once the lease is over).
     */
    long nextHeartbeatMs(long now) {
        long leftMs = TimeUnit.NANOSECONDS.toMillis(leftNanos(now));
        return leftMs > 0 ? Math.min(heartbeatMs, leftMs + 1) : heartbeatMs;
    }

    /** {@code operationDeadline}, or the end of the lease if that comes first. */
    long deadline(long operationDeadline) {
        long now = System.nanoTime();
        return now + Math.min(operationDeadline - now, leftNanos(now));
    }

    /** Milliseconds since the last answered heartbeat was sent. */
    long sinceLastAnsweredMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastAnsweredSend);
    }
}
