package io.dledger.broker.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * One load phase of a benchmark: its worker threads record every operation into the {@link Tally} of the window
 * being measured ({@link #current}, none during the warm-up or between phases) until the phase is {@link #stopped}.
 * Switching {@code current} from one tally to the next at a window's end counts each operation in at most one window.
 *
 * <p>Thread-safe: workers record concurrently; one driver thread switches windows and stops the phase.
 */
final class MeasuredWindow {
    volatile Tally current;
    volatile boolean stopped;

    /** Records an operation that started at {@code startNanos} ({@link System#nanoTime}) and ended now. */
    void record(long startNanos, boolean ok) {
        Tally t = current;
        if (t != null) {
            t.record(startNanos, ok);
        }
    }

    /** What one measured window saw: latencies of the successful operations (µs), their count and the failures. */
    static final class Tally {
        final Histogram latencyMicros = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(2), 3);
        final AtomicLong acked = new AtomicLong();
        final AtomicLong errors = new AtomicLong();

        void record(long startNanos, boolean ok) {
            if (ok) {
                acked.incrementAndGet();
                latencyMicros.recordValue(Math.min((System.nanoTime() - startNanos) / 1000,
                        latencyMicros.getHighestTrackableValue()));
            } else {
                errors.incrementAndGet();
            }
        }

        double p50Millis() {
            return latencyMicros.getValueAtPercentile(50) / 1000.0;
        }

        double p99Millis() {
            return latencyMicros.getValueAtPercentile(99) / 1000.0;
        }
    }
}
