package io.dledger.broker.store;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The records of one Raft entry while they are encoded: one direct buffer, grown on demand, and where each record
 * starts in it. The caller {@linkplain #reserve reserves} room for a record, then writes it at the
 * {@linkplain #buffer() buffer}'s position as record number {@code count() - 1} of the entry; {@link #seal} then
 * sets every record's entry count and CRC ({@link RecordCodec#seal}), so the entry goes to the log in one append.
 *
 * <p>Not thread-safe: used by the state machine thread only, through {@link EntryWriter}.
 */
final class EntryBuffer {
    private static final int INITIAL_BUFFER = 1 << 20;

    private ByteBuffer buf = ByteBuffer.allocateDirect(INITIAL_BUFFER);
    private int[] recordStarts = new int[256];
    private int recordCount;

    /**
     * Makes room for a record of {@code size} bytes; returns where it starts in the entry buffer. A bigger buffer
     * may replace the current one: take {@link #buffer()} after reserving.
     */
    int reserve(int size) {
        if (buf.remaining() < size) {
            int capacity = Math.max(buf.capacity() * 2, buf.position() + size);
            ByteBuffer bigger = ByteBuffer.allocateDirect(capacity);
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
        if (recordCount == recordStarts.length) {
            recordStarts = Arrays.copyOf(recordStarts, recordCount * 2);
        }
        int start = buf.position();
        recordStarts[recordCount++] = start;
        return start;
    }

    /** The buffer the records are written into, positioned after the last reserved record's start. */
    ByteBuffer buffer() {
        return buf;
    }

    /** Records reserved so far in this entry. */
    int count() {
        return recordCount;
    }

    /** Sets every record's entry count and CRC and flips the buffer: it then holds the entry, ready to append. */
    ByteBuffer seal() {
        for (int i = 0; i < recordCount; i++) {
            RecordCodec.seal(buf, recordStarts[i], recordCount);
        }
        buf.flip();
        return buf;
    }

    /** Empties the buffer for the next entry. */
    void clear() {
        buf.clear();
        if (buf.capacity() > 16 * INITIAL_BUFFER) {
            buf = ByteBuffer.allocateDirect(INITIAL_BUFFER); // do not pin a huge buffer after a big entry
        }
        recordCount = 0;
    }
}
