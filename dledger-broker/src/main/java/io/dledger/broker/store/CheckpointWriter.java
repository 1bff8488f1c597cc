package io.dledger.broker.store;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Makes checkpoints the store's recovery point: flushes the log up to the checkpoint's position and every
 * index, then replaces the checkpoint file ({@link CheckpointCodec}).
 *
 * <p>Ordering: an older checkpoint (lower Raft index) never replaces a newer one, and a failed store writes
 * none. A checkpoint written before deleting files ({@link #persistBeforeDeleting}) is never replaced by a
 * background checkpoint captured before it at the same Raft index ({@link #persistUnlessSuperseded}).
 *
 * <p>Thread-safety: every write holds this object's monitor; the store also holds it while it swaps or closes
 * its data ({@link StoreCheckpoints#withoutCheckpoints}), so a checkpoint never flushes files being replaced.
 */
final class CheckpointWriter {
    private final Path file;
    private final Supplier<StoreData> data;
    private final Supplier<String> failure;
    private long persistedRaftIndex = -1; // guarded by this
    /** Checkpoints written before deleting files; written under the monitor, read by the state machine thread. */
    private volatile long syncCheckpoints;

    CheckpointWriter(Path file, Supplier<StoreData> data, Supplier<String> failure) {
        this.file = file;
        this.data = data;
        this.failure = failure;
    }

    /** The store loaded the checkpoint at {@code raftIndex} (or -1 without one): older ones are never written. */
    synchronized void loaded(long raftIndex) {
        persistedRaftIndex = raftIndex;
    }

    /**
     * Persists {@code c} unless it is older than the checkpoint on disk or the store failed. Any thread.
     *
     * @return {@code false} when the store failed (nothing written); {@code true} otherwise, also when a newer
     *         checkpoint on disk already holds {@code c} (its flush covered {@code c}'s bytes)
     */
    synchronized boolean persist(Checkpoint c) {
        if (failure.get() != null) {
            return false;
        }
        if (c.raftIndex() < persistedRaftIndex) {
            return true;
        }
        StoreData d = data.get();
        d.log().flush(c.logPosition());
        for (TopicQueues t : d.topics().values()) {
            t.flush();
        }
        CheckpointCodec.write(file, c);
        persistedRaftIndex = c.raftIndex();
        return true;
    }

    /**
     * Persists a checkpoint the state machine thread just captured, before it deletes files the older checkpoints
     * still name (retention, topic deletion).
     */
    synchronized void persistBeforeDeleting(Checkpoint c) {
        syncCheckpoints++;
        persist(c);
    }

    /** The background path: persists {@code c} unless {@link #persistBeforeDeleting} wrote one since its capture. */
    synchronized void persistUnlessSuperseded(Checkpoint c, long syncCheckpointsAtCapture) {
        if (syncCheckpoints == syncCheckpointsAtCapture) {
            persist(c);
        }
    }

    /** How many checkpoints {@link #persistBeforeDeleting} wrote (read at capture, on the state machine thread). */
    long syncCheckpoints() {
        return syncCheckpoints;
    }
}
