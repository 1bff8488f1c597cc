package io.dledger.broker.raft.log;

/**
 * The terms of the most recently appended Raft log entries, so that a term JRaft asks for again and again (every
 * AppendEntries carries the term of the entry before it, and JRaft's memory drops entries once they are applied)
 * needs no read and decode of the entry from its segment. Remembers a contiguous run of at most
 * {@code capacity} indexes ending at the last append; a truncation or reset forgets what it removes.
 *
 * <p>Not thread-safe: {@link SegmentLogStorage} calls it under its lock (appends and truncations under the write
 * lock, lookups under the read lock).
 */
final class RecentTerms {
    /** What {@link #termOf} answers for an index it does not remember; no entry has term 0. */
    static final long UNKNOWN = 0;

    private final long[] terms;
    private final int mask;
    private long from = 1; // the lowest index remembered
    private long to; // the highest index remembered; from > to: none

    /** @param capacity how many indexes to remember, a power of two */
    RecentTerms(int capacity) {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        terms = new long[capacity];
        mask = capacity - 1;
    }

    /** Entry {@code index} was appended with {@code term}; an index that does not follow the last starts afresh. */
    void appended(long index, long term) {
        if (index != to + 1 || from > to) {
            from = index;
        }
        terms[(int) (index & mask)] = term;
        to = index;
        if (to - from >= terms.length) {
            from = to - terms.length + 1;
        }
    }

    /** Entries after {@code lastKept} are gone. */
    void truncateAfter(long lastKept) {
        if (lastKept < to) {
            to = Math.max(lastKept, from - 1);
        }
    }

    /** Everything is gone; the next entry appended will be {@code nextIndex}. */
    void reset(long nextIndex) {
        from = nextIndex;
        to = nextIndex - 1;
    }

    /** The term of entry {@code index}, or {@link #UNKNOWN}. */
    long termOf(long index) {
        return index >= from && index <= to ? terms[(int) (index & mask)] : UNKNOWN;
    }
}
