package io.dledger.broker.store;

import java.nio.file.Path;

/**
 * A topic as the store holds it: its name and one {@link QueueIndex} per queue.
 * Thread-safety: immutable structure; the indexes follow their own contract.
 */
final class TopicQueues implements AutoCloseable {
    private final String name;
    private final byte[] nameBytes;
    private final QueueIndex[] queues;

    private TopicQueues(String name, QueueIndex[] queues) {
        this.name = name;
        this.nameBytes = RecordCodec.utf8(name);
        this.queues = queues;
    }

    static Path dir(Path indexRoot, String topic) {
        return indexRoot.resolve(topic);
    }

    static TopicQueues open(Path indexRoot, int entriesPerFile, String name, long[] minOffsets, long[] nextOffsets) {
        QueueIndex[] queues = new QueueIndex[minOffsets.length];
        for (int q = 0; q < queues.length; q++) {
            queues[q] = QueueIndex.open(dir(indexRoot, name).resolve(Integer.toString(q)), entriesPerFile,
                    minOffsets[q], nextOffsets[q]);
        }
        return new TopicQueues(name, queues);
    }

    static TopicQueues create(Path indexRoot, int entriesPerFile, String name, int queueCount) {
        return open(indexRoot, entriesPerFile, name, new long[queueCount], new long[queueCount]);
    }

    String name() {
        return name;
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
        return new Checkpoint.Topic(name, min, next);
    }

    TopicView view() {
        long[] min = new long[queues.length];
        long[] max = new long[queues.length];
        for (int q = 0; q < queues.length; q++) {
            max[q] = queues[q].nextOffset();
            min[q] = queues[q].minOffset();
        }
        return new TopicView(name, min, max);
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
