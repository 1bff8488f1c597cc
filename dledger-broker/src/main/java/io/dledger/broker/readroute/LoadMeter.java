package io.dledger.broker.readroute;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Events per second over the last full second (two one-second buckets). Used for the leader's load
 * signal: produced messages and pull requests. Thread-safe and cheap on the hot path (one CAS-free add
 * in the common case).
 */
public final class LoadMeter {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final LongSupplier nanoClock;
    private final AtomicLong current = new AtomicLong();
    private volatile long currentSecond;
    private volatile long previousCount;

    public LoadMeter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.currentSecond = nanoClock.getAsLong() / SECOND;
    }

    public void record(long events) {
        roll();
        current.addAndGet(events);
    }

    /** Events in the last complete second (the current one while it is the first). */
    public long perSecond() {
        roll();
        return previousCount;
    }

    private void roll() {
        long second = nanoClock.getAsLong() / SECOND;
        long seen = currentSecond;
        if (second == seen) {
            return;
        }
        synchronized (this) {
            if (second == currentSecond) {
                return;
            }
            long count = current.getAndSet(0);
            previousCount = second == currentSecond + 1 ? count : 0; // idle seconds in between count as 0
            currentSecond = second;
        }
    }
}
