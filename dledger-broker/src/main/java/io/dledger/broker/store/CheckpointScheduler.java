package io.dledger.broker.store;

import io.dledger.broker.concurrent.DaemonThreadFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when the store writes a checkpoint (every {@code intervalBytes} of log or
 * {@code intervalMs} with new writes) and writes it on a background thread, one at a time, so the
 * state machine thread only pays for capturing the state.
 */
final class CheckpointScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointScheduler.class);

    private final long intervalBytes;
    private final long intervalNanos;
    private final ExecutorService executor;
    private final AtomicBoolean running = new AtomicBoolean();
    private long lastPosition;
    private long lastNanos = System.nanoTime();

    CheckpointScheduler(long intervalBytes, long intervalMs) {
        this.intervalBytes = intervalBytes;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.executor = Executors.newSingleThreadExecutor(new DaemonThreadFactory("store-checkpoint"));
    }

    /** The log position the newest checkpoint covers (state machine thread). */
    void reset(long position) {
        lastPosition = position;
        lastNanos = System.nanoTime();
    }

    long lastPosition() {
        return lastPosition;
    }

    /** Called after each entry that wrote records; captures and persists a checkpoint when one is due. */
    void maybeCheckpoint(long logEnd, java.util.function.Supplier<Checkpoint> capture, Consumer<Checkpoint> persist) {
        boolean due = logEnd - lastPosition >= intervalBytes || System.nanoTime() - lastNanos >= intervalNanos;
        if (!due || !running.compareAndSet(false, true)) {
            return;
        }
        Checkpoint c = capture.get();
        reset(logEnd);
        executor.execute(() -> {
            try {
                persist.accept(c);
            } catch (RuntimeException e) {
                LOG.error("background checkpoint failed; recovery will replay more of the log", e);
            } finally {
                running.set(false);
            }
        });
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
