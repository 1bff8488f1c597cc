package io.dledger.broker.store;

import java.nio.ByteBuffer;

/**
 * Reads records sequentially from a range of the log, validating each one (length, magic, type, CRC)
 * and the entry framing (records of one Raft entry numbered 0..count-1). Stops at the end of the range
 * or at the first invalid record; {@link #validEnd()} then tells where the last complete entry ended.
 *
 * <p>Not thread-safe. Used by recovery on a log nobody writes to.
 */
final class LogScanner {
    private static final int CHUNK = 1 << 20;

    private final SegmentedLog log;
    private final long end;
    private ByteBuffer buf = ByteBuffer.allocate(CHUNK);
    private long bufPosition; // log position of buf[0]
    private int recordStart;
    private long recordPosition;
    private RecordCodec.Header header;
    private long nextPosition;
    private long validEnd;
    private String stopReason;

    LogScanner(SegmentedLog log, long from, long to) {
        this.log = log;
        this.end = to;
        this.nextPosition = from;
        this.validEnd = from;
        this.bufPosition = from;
        buf.limit(0);
    }

    /** Advances to the next record; false at the end of the range or at an invalid record. */
    boolean next() {
        if (nextPosition >= end) {
            return false;
        }
        int start = (int) (nextPosition - bufPosition);
        if (!ensure(start, RecordCodec.HEADER_SIZE)) {
            return stop("a record header is cut off");
        }
        start = (int) (nextPosition - bufPosition);
        int length = buf.getInt(start + RecordCodec.LENGTH_POS);
        if (!RecordCodec.plausibleLength(length)) {
            return stop("implausible record length " + length);
        }
        if (!ensure(start, length)) {
            return stop("a record is cut off");
        }
        start = (int) (nextPosition - bufPosition);
        if (RecordCodec.validate(buf, start) < 0) {
            return stop("CRC or magic mismatch");
        }
        RecordCodec.Header h = RecordCodec.readHeader(buf, start);
        boolean continues = header != null && !header.lastOfEntry();
        if (continues ? (h.raftIndex() != header.raftIndex() || h.entrySeq() != header.entrySeq() + 1
                || h.entryCount() != header.entryCount()) : h.entrySeq() != 0) {
            return stop("entry framing broken at raft index " + h.raftIndex());
        }
        if (h.entryCount() <= h.entrySeq()) {
            return stop("entry count " + h.entryCount() + " below sequence " + h.entrySeq());
        }
        header = h;
        recordStart = start;
        recordPosition = nextPosition;
        nextPosition += length;
        if (h.lastOfEntry()) {
            validEnd = nextPosition;
        }
        return true;
    }

    private boolean stop(String reason) {
        stopReason = reason + " at position " + nextPosition;
        return false;
    }

    /** Makes {@code length} bytes from buffer offset {@code start} available; false if the range ends first. */
    private boolean ensure(int start, int length) {
        if (start + length <= buf.limit()) {
            return true;
        }
        long want = nextPosition + length;
        if (want > end) {
            return false;
        }
        if (length > buf.capacity()) {
            buf = ByteBuffer.allocate(length);
        }
        buf.clear();
        bufPosition = nextPosition;
        int toRead = (int) Math.min(buf.capacity(), end - nextPosition);
        buf.limit(toRead);
        log.readInto(nextPosition, buf);
        buf.flip();
        return buf.limit() >= length;
    }

    ByteBuffer buffer() {
        return buf;
    }

    int recordStart() {
        return recordStart;
    }

    long recordPosition() {
        return recordPosition;
    }

    RecordCodec.Header header() {
        return header;
    }

    /** End of the last complete entry read so far. */
    long validEnd() {
        return validEnd;
    }

    /** Why scanning stopped before the end of the range, or null. */
    String stopReason() {
        return stopReason;
    }
}
