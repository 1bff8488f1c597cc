package io.dledger.broker.store;

import java.nio.file.Path;

/**
 * A topic as the store holds it: its name, its incarnation (the Raft index of the entry that created it, the same on
 * every replica that applied or replayed that entry, so a topic deleted and created again under the same name is told
 * apart from the old one; 0 when unknown: a topic from a version-1 checkpoint, which did not record it), the newest
 * index it can have been created at ({@link #createdAtOrBefore()}), and one {@link QueueIndex} per queue.
 * Thread-safety: immutable structure; the indexes follow their own contract.
 */
final class TopicQueues implements AutoCloseable {
    private final String name;
    private final byte[] nameBytes;
    private final long incarnation;
    private final long createdAtOrBefore;
    private final QueueIndex[] queues;

    private TopicQueues(String name, long incarnation, long createdAtOrBefore, QueueIndex[] queues) {
        this.name = name;
        this.incarnation = incarnation;
        this.createdAtOrBefore = createdAtOrBefore;
        this.nameBytes = RecordCodec.utf8(name);
        this.queues = queues;
    }

    static Path dir(Path indexRoot, String topic) {
        return indexRoot.resolve(topic);
    }

    /**
     * Opens the indexes of checkpointed topic {@code t}, from the checkpoint at Raft index {@code checkpointIndex}: a
     * topic whose incarnation the checkpoint does not know was created at or before it. The queues end at
     * {@code nextOffsets} (the checkpoint's own, or its minimum offsets for indexes rebuilt from there).
     */
    static TopicQueues open(Path indexRoot, int entriesPerFile, Checkpoint.Topic t, long checkpointIndex,
                            long[] nextOffsets) {
        return open(indexRoot, entriesPerFile, t.name(), t.incarnation(),
                t.incarnation() != 0 ? t.incarnation() : checkpointIndex, t.minOffsets(), nextOffsets);
    }

    private static TopicQueues open(Path indexRoot, int entriesPerFile, String name, long incarnation,
                                    long createdAtOrBefore, long[] minOffsets, long[] nextOffsets) {
        QueueIndex[] queues = new QueueIndex[minOffsets.length];
        try {
            for (int q = 0; q < queues.length; q++) {
                queues[q] = QueueIndex.open(dir(indexRoot, name).resolve(Integer.toString(q)), entriesPerFile,
                        minOffsets[q], nextOffsets[q]);
            }
        } catch (RuntimeException e) {
            for (QueueIndex opened : queues) {
                if (opened != null) {
                    opened.close();
                }
            }
            throw e;
        }
        return new TopicQueues(name, incarnation, createdAtOrBefore, queues);
    }

    /** A new topic with {@code queueCount} empty queues, created by the entry at Raft index {@code incarnation}. */
    static TopicQueues create(Path indexRoot, int entriesPerFile, String name, long incarnation, int queueCount) {
        return open(indexRoot, entriesPerFile, name, incarnation, incarnation, new long[queueCount],
                new long[queueCount]);
    }

    String name() {
        return name;
    }

    long incarnation() {
        return incarnation;
    }

    /** The newest Raft index the topic can have been created at: its incarnation when known. */
    long createdAtOrBefore() {
        return createdAtOrBefore;
    }

    /**
     * Whether this topic is known to be newer than incarnation {@code other} ({@code 0}: any, never replaced): the
     * topic {@code other} names was deleted and this one created under its name since.
     */
    boolean replacedSince(long other) {
        return other != 0 && incarnation > other;
    }

    /** What a pull or commit of incarnation {@code other} is told when {@link #replacedSince} it. */
    String replacedMessage(long other) {
        return "topic '" + name + "' was deleted and created again (now incarnation " + incarnation + ", not " + other
                + ")";
    }

    byte[] nameBytes() {
        return nameBytes;
    }

    int queueCount() {
        return queues.length;
    }

    QueueIndex queue(int q) {
        return queues[q];
    }

    Checkpoint.Topic toCheckpoint() {
        long[] min = new long[queues.length];
        long[] next = new long[queues.length];
        for (int q = 0; q < queues.length; q++) {
            min[q] = queues[q].minOffset();
            next[q] = queues[q].nextOffset();
        }
        return new Checkpoint.Topic(name, incarnation, min, next);
    }

    TopicView view() {
        long[] min = new long[queues.length];
        long[] max = new long[queues.length];
        for (int q = 0; q < queues.length; q++) {
            max[q] = queues[q].nextOffset();
            min[q] = queues[q].minOffset();
        }
        return new TopicView(name, incarnation, min, max);
    }

    /**
     * Moves each queue's minimum offset to the first record at or after {@code logStart} (no file deleted);
     * whether any moved.
     */
    boolean retainFrom(long logStart) {
        boolean moved = false;
        for (QueueIndex q : queues) {
            moved |= q.retainFrom(logStart);
        }
        return moved;
    }

    /** Deletes the index files below each queue's minimum offset. */
    void deleteBelowMin() {
        for (QueueIndex q : queues) {
            q.deleteBelowMin();
        }
    }

    /** Deletes the topic's index files and directories. */
    void delete(Path indexRoot) {
        for (QueueIndex q : queues) {
            q.deleteAll();
        }
        try {
            FileTree.deleteRecursively(dir(indexRoot, name));
        } catch (java.io.IOException e) {
            throw new StoreException("cannot delete the index of topic " + name, e);
        }
    }

    void flush() {
        for (QueueIndex q : queues) {
            q.flush();
        }
    }

    @Override
    public void close() {
        for (QueueIndex q : queues) {
            q.close();
        }
    }
}
