package io.dledger.broker.raft.log;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Byte format of one record of a Raft log segment ({@link RaftLogSegment}), and its codec. Stateless and
 * thread-safe.
 *
 * <p>Record format (big-endian), see the constants:
 * <pre>
 * pos    size field
 *  0      4   length    payload bytes (L > 0)
 *  4      4   crc       CRC32C of bytes [8, 20 + L)
 *  8      4   flags     bit 0: configuration entry (loaded into JRaft's ConfigurationManager at start)
 *                       bit 1: after sync: every earlier record of this file was synced before this one was
 *                              written (set on the first record of each write)
 * 12      8   index     Raft log index
 * 20      L   payload   the entry as encoded by JRaft's LogEntryEncoder
 * </pre>
 *
 * <p>A zero length field marks the end of a segment's data: every write ends with {@value #END_MARK_BYTES} zero
 * bytes (the end mark, overwritten by the next write) when they fit.
 */
final class SegmentRecordCodec {
    static final int HEADER_BYTES = 20;
    // byte positions of the header fields within a record (the "pos" column above; "offset" names a place in a queue)
    static final int LENGTH_POS = 0;
    static final int CRC_POS = 4;
    static final int FLAGS_POS = 8;
    static final int INDEX_POS = 12;
    static final int FLAG_CONFIGURATION = 1;
    static final int FLAG_AFTER_SYNC = 2;
    static final int END_MARK_BYTES = 4;

    /** A record as read back: flags and payload. */
    record Record(long index, int flags, byte[] payload) {
    }

    private SegmentRecordCodec() {
    }

    /** Bytes one record of {@code payloadBytes} takes. */
    static int recordBytes(int payloadBytes) {
        return HEADER_BYTES + payloadBytes;
    }

    /** Encodes one record into {@code buf}. */
    static void encode(ByteBuffer buf, long index, int flags, byte[] payload) {
        int start = buf.position();
        buf.putInt(payload.length).putInt(0).putInt(flags).putLong(index).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), buf.arrayOffset() + start + FLAGS_POS, HEADER_BYTES - FLAGS_POS + payload.length);
        buf.putInt(start + CRC_POS, (int) crc.getValue());
    }

    /** A buffer for one header ({@value #HEADER_BYTES} bytes), as {@link #decode} expects it. */
    static ByteBuffer newHeader() {
        return ByteBuffer.allocate(HEADER_BYTES);
    }

    /** The length field of a header: payload bytes, 0 at the end of the data. */
    static int length(ByteBuffer header) {
        return header.getInt(LENGTH_POS);
    }

    /** The index field of a header. */
    static long index(ByteBuffer header) {
        return header.getLong(INDEX_POS);
    }

    /**
     * The record of a header (from {@link #newHeader}) and the {@link #length} bytes of payload that follow it;
     * null if it fails its CRC.
     */
    static Record decode(ByteBuffer header, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(header.array(), FLAGS_POS, HEADER_BYTES - FLAGS_POS);
        crc.update(payload, 0, payload.length);
        if ((int) crc.getValue() != header.getInt(CRC_POS)) {
            return null;
        }
        return new Record(header.getLong(INDEX_POS), header.getInt(FLAGS_POS), payload);
    }
}
