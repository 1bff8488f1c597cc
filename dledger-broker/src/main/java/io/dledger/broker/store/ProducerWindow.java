package io.dledger.broker.store;

/**
 * The most recent request sequences applied for one idempotent producer, with the log position of the
 * first record each request wrote, so a retried request is answered from the log instead of being
 * stored twice. Holds at most {@link #CAPACITY} sequences (oldest dropped first); a sequence at or below
 * the largest dropped one that is not held any more is "too old" to be judged.
 *
 * <p>Not thread-safe: owned by the state machine thread.
 */
final class ProducerWindow {
    static final int CAPACITY = 256;

    private final long[] seqs = new long[CAPACITY];
    private final long[] positions = new long[CAPACITY];
    private int size;
    private int head; // slot of the oldest sequence
    private long evictedMax = Long.MIN_VALUE;
    private long lastTimestamp;

    /** Log position of the first record written for {@code seq}, or -1 when not held. */
    long positionOf(long seq) {
        for (int i = 0; i < size; i++) {
            int slot = (head + i) % CAPACITY;
            if (seqs[slot] == seq) {
                return positions[slot];
            }
        }
        return -1;
    }

    boolean tooOld(long seq) {
        return seq <= evictedMax && positionOf(seq) < 0;
    }

    void record(long seq, long position, long timestamp) {
        if (size == CAPACITY) {
            evictedMax = Math.max(evictedMax, seqs[head]);
            head = (head + 1) % CAPACITY;
            size--;
        }
        int slot = (head + size) % CAPACITY;
        seqs[slot] = seq;
        positions[slot] = position;
        size++;
        lastTimestamp = Math.max(lastTimestamp, timestamp);
    }

    long lastTimestamp() {
        return lastTimestamp;
    }

    long evictedMax() {
        return evictedMax;
    }

    int size() {
        return size;
    }

    long seqAt(int i) {
        return seqs[(head + i) % CAPACITY];
    }

    long positionAt(int i) {
        return positions[(head + i) % CAPACITY];
    }

    /** Rebuilds a window from a checkpoint (sequences oldest first). */
    static ProducerWindow restore(long lastTimestamp, long evictedMax, long[] seqs, long[] positions) {
        ProducerWindow w = new ProducerWindow();
        for (int i = 0; i < seqs.length; i++) {
            w.record(seqs[i], positions[i], lastTimestamp);
        }
        w.evictedMax = evictedMax;
        w.lastTimestamp = lastTimestamp;
        return w;
    }
}
