package io.dledger.broker.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * One load phase of a benchmark: its worker threads record every operation into the {@link Tally} of the window
 * being measured (none during the warm-up and after the last window) until the phase is {@link #stopped()}.
 * {@link #measure} switches from one tally to the next at a window's end, so each operation counts in at most one
 * window.
 *
 * <p>Thread-safe: workers record concurrently; one driver thread switches windows and stops the phase.
 */
final class MeasuredPhase {
    private volatile Tally current; // the window being measured; none before, between phases and after
    private volatile boolean stopped;
    private final List<Thread> workers = new ArrayList<>();

    /** Starts {@code threads} daemon threads ({@code name-0}, ...) that run {@code loop}, which ends once stopped. */
    void startWorkers(int threads, String name, Runnable loop) {
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(loop, name + "-" + t);
            th.setDaemon(true);
            th.start();
            workers.add(th);
        }
    }

    /** Waits, up to a minute each, for the workers to end (after {@link #measure} stopped the phase). */
    void joinWorkers() throws InterruptedException {
        for (Thread th : workers) {
            th.join(TimeUnit.SECONDS.toMillis(60));
        }
    }

    /** Ends the phase without measuring it (a warm-up): its workers stop. */
    void stop() {
        stopped = true;
    }

    /** Whether the phase is over: its workers stop. */
    boolean stopped() {
        return stopped;
    }

    /** Records an operation that started at {@code startNanos} ({@link System#nanoTime}) and ended now. */
    void record(long startNanos, boolean ok) {
        Tally t = current;
        if (t != null) {
            t.record(startNanos, ok);
        }
    }

    /** A window's RESULT lines from what it counted and the samples taken at its start and end. */
    @FunctionalInterface
    interface WindowResults<S> {
        List<ResultLine> of(Tally counted, S start, S end, int number);
    }

    /**
     * Measures {@code windows} windows of {@code duration} back to back, from now: one sample ends a window and
     * starts the next, so no operation falls in a gap between them. Then the phase is {@link #stopped()}, also when
     * measuring fails. Returns each window's results, in order.
     */
    <S> List<List<ResultLine>> measure(int windows, Duration duration, Supplier<S> sampler,
                                       WindowResults<S> results) throws InterruptedException {
        List<List<ResultLine>> out = new ArrayList<>();
        try {
            S at = sampler.get();
            Tally t = new Tally();
            current = t;
            for (int i = 1; i <= windows; i++) {
                Thread.sleep(duration.toMillis());
                S end = sampler.get();
                Tally next = i < windows ? new Tally() : null;
                current = next;
                out.add(results.of(t, at, end, i));
                at = end;
                t = next;
            }
        } finally {
            stopped = true; // the phase ends with its last window, or when measuring fails
        }
        return out;
    }

    /**
     * What one measured window saw: the latency of every operation (µs), failed ones included (the caller waited for
     * them as long), how many succeeded and how many failed.
     */
    static final class Tally {
        final Histogram latencyMicros = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(2), 3);
        final AtomicLong acked = new AtomicLong();
        final AtomicLong errors = new AtomicLong();

        void record(long startNanos, boolean ok) {
            (ok ? acked : errors).incrementAndGet();
            latencyMicros.recordValue(Math.min((System.nanoTime() - startNanos) / 1000,
                    latencyMicros.getHighestTrackableValue()));
        }

        double p50Millis() {
            return latencyMicros.getValueAtPercentile(50) / 1000.0;
        }

        double p99Millis() {
            return latencyMicros.getValueAtPercentile(99) / 1000.0;
        }

        /** For example "window 2 of 3: 8822 msgs/s, p50 3.21 ms, p99 14.78 ms, 0 errors" ({@code unit} "msgs/s"). */
        String windowLine(int number, int windows, double rate, String unit) {
            return String.format(Locale.ROOT, "window %d of %d: %.0f %s, p50 %.2f ms, p99 %.2f ms, %d errors",
                    number, windows, rate, unit, p50Millis(), p99Millis(), errors.get());
        }
    }
}
