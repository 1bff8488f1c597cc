package io.dledger.broker.raft.log;

/**
 * The encoded payloads of the newest entries appended to the Raft log, by index, so that reading one of them back
 * costs no file read.
 *
 * <p>Why: JRaft's replicator asks for the term of the entry before the ones it sends, for every AppendEntries
 * request ({@code Replicator.fillCommonFields} calls {@code LogManager.getTerm}), also for the empty request it
 * builds when a response comes back. Once that entry is applied, JRaft no longer keeps it in memory, and
 * {@code LogManager} reads the whole entry from the log storage to learn its term: two positional reads, a CRC and
 * a decode, on the leader's send path, twice per entry and follower.
 *
 * <p>{@value #SLOTS} slots, one per index modulo {@value #SLOTS}; a payload over {@value #MAX_PAYLOAD_BYTES} bytes
 * is not kept (at most {@value #SLOTS} x {@value #MAX_PAYLOAD_BYTES} bytes in all). The owner must drop what a
 * truncation removes ({@link #dropAfter}, {@link #clear}); entries below the log's first index are never asked for.
 *
 * <p>Not thread-safe: {@link LogSegments} changes it under its write lock and reads it under its read lock.
 */
final class RecentEntries {
    static final int SLOTS = 128;
    static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    private final long[] indexes = new long[SLOTS]; // 0: empty (Raft indexes start at 1)
    private final byte[][] payloads = new byte[SLOTS][];

    /** Remembers the payload appended at {@code index} (it must not change afterwards). */
    void put(long index, byte[] payload) {
        int slot = slot(index);
        boolean keep = payload.length <= MAX_PAYLOAD_BYTES;
        indexes[slot] = keep ? index : 0;
        payloads[slot] = keep ? payload : null;
    }

    /** The payload appended at {@code index}, or null when it is not kept. Callers must not change it. */
    byte[] get(long index) {
        int slot = slot(index);
        return indexes[slot] == index ? payloads[slot] : null;
    }

    /** Forgets every entry after {@code lastIndexKept} (a suffix truncation). */
    void dropAfter(long lastIndexKept) {
        for (int slot = 0; slot < SLOTS; slot++) {
            if (indexes[slot] > lastIndexKept) {
                indexes[slot] = 0;
                payloads[slot] = null;
            }
        }
    }

    /** Forgets everything (a reset). */
    void clear() {
        dropAfter(0);
    }

    private static int slot(long index) {
        return (int) (index & (SLOTS - 1));
    }
}
