package io.dledger.broker.store;

import java.nio.file.Path;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the store writes its checkpoints: in the background once one is due after an entry that wrote records
 * ({@link CheckpointScheduler}), before files that older checkpoints still name are deleted, and at a clean close, so
 * a restart recovers without replaying. Each is written by the {@link CheckpointWriter}, which keeps the ordering:
 * an older checkpoint never replaces a newer one, a background checkpoint never replaces one written before deleting
 * files since its capture, and a failed store writes none. The state is captured by the store
 * ({@link MessageStore#captureCheckpoint}).
 *
 * <p>Thread-safety: the state machine thread captures and schedules; {@link #persist} may run on any thread. The
 * store swaps or closes its data only {@linkplain #withoutCheckpoints without checkpoints} being written, so a
 * checkpoint never flushes files being replaced.
 */
final class StoreCheckpoints implements AutoCloseable {
    // lines logged here keep the logger name they had before they moved out of MessageStore
    private static final Logger LOG = LoggerFactory.getLogger(MessageStore.class);

    private final CheckpointScheduler scheduler;
    private final CheckpointWriter writer;
    private final Supplier<Checkpoint> capture;

    /**
     * Checkpoints go to {@code file}, at the intervals {@code config} sets; {@code data} and {@code failure} give the
     * store's current data and failure; {@code capture} captures its state at the log end (state machine thread).
     */
    StoreCheckpoints(StoreConfig config, Path file, Supplier<StoreData> data, Supplier<String> failure,
                     Supplier<Checkpoint> capture) {
        this.scheduler = new CheckpointScheduler(config.checkpointIntervalBytes(), config.checkpointIntervalMs());
        this.writer = new CheckpointWriter(file, data, failure);
        this.capture = capture;
    }

    /** The store loaded checkpoint {@code c}: older ones are never written, and the next is due from its position. */
    void loaded(Checkpoint c) {
        writer.loaded(c.raftIndex());
        scheduler.reset(c.logPosition());
    }

    /** An entry wrote records up to {@code logEnd} (state machine thread): a background checkpoint, when one is due. */
    void entryWritten(long logEnd) {
        long seen = writer.syncCheckpoints();
        scheduler.maybeCheckpoint(logEnd, capture, c -> writer.persistUnlessSuperseded(c, seen));
    }

    /**
     * Captures and persists a checkpoint before files the older checkpoints still name are deleted (retention,
     * topic deletion); state machine thread. See {@link CheckpointWriter} for the ordering it keeps.
     */
    void beforeDeleting() {
        writer.persistBeforeDeleting(capture.get());
    }

    /** Makes {@code c} the recovery point (see {@link CheckpointWriter#persist}). Any thread. */
    boolean persist(Checkpoint c) {
        return writer.persist(c);
    }

    /**
     * At a clean stop of a healthy store whose log ends at {@code logEnd}: persists the state there unless the newest
     * checkpoint already covers it, so a restart recovers without replaying. A failure is logged, not thrown.
     */
    void finalCheckpoint(long logEnd) {
        if (logEnd > scheduler.lastPosition()) {
            try {
                persist(capture.get()); // a clean stop recovers without replaying
            } catch (RuntimeException e) {
                LOG.warn("final checkpoint failed", e);
            }
        }
    }

    /** Runs {@code action} while no checkpoint is being written: the store swaps or closes its data in it. */
    void withoutCheckpoints(Runnable action) {
        synchronized (writer) {
            action.run();
        }
    }

    /** Stops the background writer, waiting for a checkpoint it is writing. */
    @Override
    public void close() {
        scheduler.close();
    }
}
