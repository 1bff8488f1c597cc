package io.dledger.broker.server;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets a repeated log line through at most once per period: the first call passes, then one per {@code period}.
 * For conditions that persist and are checked often (a full disk on every produce, a failing poll every second).
 * Thread-safe: of concurrent callers in one period exactly one passes.
 */
final class LogThrottle {
    private final long periodNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong lastPassed;

    LogThrottle(long periodNanos, LongSupplier nanoClock) {
        this.periodNanos = periodNanos;
        this.nanoClock = nanoClock;
        this.lastPassed = new AtomicLong(nanoClock.getAsLong() - periodNanos); // the first call passes
    }

    /** Whether the caller should log now. */
    boolean pass() {
        long now = nanoClock.getAsLong();
        long last = lastPassed.get();
        return now - last >= periodNanos && lastPassed.compareAndSet(last, now);
    }
}
