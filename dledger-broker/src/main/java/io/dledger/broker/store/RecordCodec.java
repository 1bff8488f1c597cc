package io.dledger.broker.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Byte format of a log record's frame, and its codec: the header every record starts with, the CRC that
 * seals it, validation, and the string encoding the payloads use. Each record type's payload has its own
 * codec: {@link MessageRecordCodec} (MESSAGE), {@link TopicRecordCodec} (TOPIC_CREATED, TOPIC_DELETED),
 * {@link OffsetsRecordCodec} (OFFSETS) and {@link PeerRecordCodec} (PEER). Stateless and thread-safe.
 *
 * <p>Every record starts with a fixed header (big-endian):
 * <pre>
 * pos    size field
 *  0      4   length          whole record in bytes, this field included
 *  4      4   crc             CRC32C of bytes [8, length)
 *  8      1   magic           {@link #MAGIC} (format version)
 *  9      1   type            {@link #TYPE_MESSAGE}, {@link #TYPE_TOPIC_CREATED}, {@link #TYPE_OFFSETS},
 *                             {@link #TYPE_TOPIC_DELETED}, {@link #TYPE_PEER}, {@link #TYPE_GROUP_DELETED}
 * 10      8   raftIndex       Raft log index of the entry that wrote the record
 * 18      4   entrySeq        position of the record among the records of its entry (0-based)
 * 22      4   entryCount      number of records the entry wrote (all of them carry the same count)
 * 26      8   timestamp       store timestamp, ms since the epoch, chosen by the leader
 * 34      8   producerId      0 when the write was not idempotent
 * 42      8   producerSeq     sequence of the producer request that wrote the record
 * </pre>
 * followed by the type's payload, whose layout its codec documents. Strings ({@code str} there) are UTF-8
 * with an unsigned 16-bit length prefix ({@link #putString}, {@link #getString}).
 * Records of one Raft entry are written together, so recovery can drop an entry that was only
 * partly written: the last record of an entry has {@code entrySeq == entryCount - 1}.
 */
public final class RecordCodec {
    public static final byte MAGIC = 1;
    public static final byte TYPE_MESSAGE = 1;
    public static final byte TYPE_TOPIC_CREATED = 2;
    public static final byte TYPE_OFFSETS = 3;
    public static final byte TYPE_TOPIC_DELETED = 4;
    public static final byte TYPE_PEER = 5;
    /** A consumer group's offsets on a topic deleted ({@link OffsetsRecordCodec}); unknown to versions before it. */
    public static final byte TYPE_GROUP_DELETED = 6;

    // byte positions of the header fields within a record (the "pos" column above; "offset" names a place in a queue)
    public static final int LENGTH_POS = 0;
    public static final int CRC_POS = 4;
    public static final int MAGIC_POS = 8;
    public static final int TYPE_POS = 9;
    public static final int RAFT_INDEX_POS = 10;
    public static final int ENTRY_SEQ_POS = 18;
    public static final int ENTRY_COUNT_POS = 22;
    public static final int TIMESTAMP_POS = 26;
    public static final int PRODUCER_ID_POS = 34;
    public static final int PRODUCER_SEQ_POS = 42;
    public static final int HEADER_SIZE = 50;
    /** The CRC covers everything after the CRC field. */
    public static final int CRC_START = MAGIC_POS;
    /** Upper bound on a record's length; a larger length field can only be garbage. */
    public static final int MAX_RECORD_SIZE = 64 * 1024 * 1024;
    /** Longest string field (topic, key, tags, property, group, peer id or host): its length is an unsigned short. */
    public static final int MAX_STRING_BYTES = 0xFFFF;

    private RecordCodec() {
    }

    /** Header fields common to every record. */
    public record Header(byte type, long raftIndex, int entrySeq, int entryCount, long timestamp,
                         long producerId, long producerSeq, int length) {
        public boolean lastOfEntry() {
            return entrySeq == entryCount - 1;
        }
    }

    /**
     * A node's address as the group knows it; {@code removed} marks a node taken out of the group. The payload of a
     * PEER record ({@link PeerRecordCodec}), also carried by checkpoints and read outside the store.
     */
    public record Peer(String id, String host, int raftPort, int grpcPort, boolean removed) {
    }

    /**
     * Writes a record header at the buffer's position; the CRC and the entry count are left 0 for {@link #seal}.
     * The payload codecs write the payload right after it.
     */
    static void writeHeader(ByteBuffer buf, int length, byte type, long raftIndex, int entrySeq,
                            long timestamp, long producerId, long producerSeq) {
        buf.putInt(length);
        buf.putInt(0); // crc, set by seal()
        buf.put(MAGIC);
        buf.put(type);
        buf.putLong(raftIndex);
        buf.putInt(entrySeq);
        buf.putInt(0); // entry count, set by seal()
        buf.putLong(timestamp);
        buf.putLong(producerId);
        buf.putLong(producerSeq);
    }

    /** Sets the entry count and the CRC of the record that starts at {@code start} in {@code buf}. */
    public static void seal(ByteBuffer buf, int start, int entryCount) {
        buf.putInt(start + ENTRY_COUNT_POS, entryCount);
        int length = buf.getInt(start + LENGTH_POS);
        buf.putInt(start + CRC_POS, crc(buf, start, length));
    }

    /** CRC32C of the record at {@code start} (the bytes the CRC field covers). */
    public static int crc(ByteBuffer buf, int start, int length) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = buf.duplicate();
        view.limit(start + length).position(start + CRC_START);
        crc.update(view);
        return (int) crc.getValue();
    }

    /** Whether a record could have this length: at least a header, at most {@link #MAX_RECORD_SIZE}. */
    static boolean plausibleLength(int length) {
        return length >= HEADER_SIZE && length <= MAX_RECORD_SIZE;
    }

    /**
     * Checks the record at {@code start}: plausible length, fully present, right magic, matching CRC.
     * Returns its length, or -1 when the bytes are not a valid record.
     */
    public static int validate(ByteBuffer buf, int start) {
        if (buf.limit() - start < HEADER_SIZE) {
            return -1;
        }
        int length = buf.getInt(start + LENGTH_POS);
        if (!plausibleLength(length) || length > buf.limit() - start) {
            return -1;
        }
        if (buf.get(start + MAGIC_POS) != MAGIC) {
            return -1;
        }
        byte type = buf.get(start + TYPE_POS);
        if (type < TYPE_MESSAGE || type > TYPE_GROUP_DELETED) {
            return -1;
        }
        return buf.getInt(start + CRC_POS) == crc(buf, start, length) ? length : -1;
    }

    public static Header readHeader(ByteBuffer buf, int start) {
        return new Header(buf.get(start + TYPE_POS), buf.getLong(start + RAFT_INDEX_POS),
                buf.getInt(start + ENTRY_SEQ_POS), buf.getInt(start + ENTRY_COUNT_POS),
                buf.getLong(start + TIMESTAMP_POS), buf.getLong(start + PRODUCER_ID_POS),
                buf.getLong(start + PRODUCER_SEQ_POS), buf.getInt(start + LENGTH_POS));
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@code bytes} as a string field: unsigned 16-bit length, then the bytes. */
    static void putString(ByteBuffer buf, byte[] bytes) {
        if (bytes.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("string of " + bytes.length + " bytes exceeds " + MAX_STRING_BYTES);
        }
        buf.putShort((short) bytes.length);
        buf.put(bytes);
    }

    /** Reads a string field at the buffer's position and moves past it. */
    static String getString(ByteBuffer in) {
        int len = Short.toUnsignedInt(in.getShort());
        if (in.hasArray()) {
            String s = new String(in.array(), in.arrayOffset() + in.position(), len, StandardCharsets.UTF_8);
            in.position(in.position() + len);
            return s;
        }
        byte[] bytes = new byte[len];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}