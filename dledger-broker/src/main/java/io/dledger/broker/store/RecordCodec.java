package io.dledger.broker.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.zip.CRC32C;

/**
 * Byte format of one log record, and its codec. Stateless and thread-safe.
 *
 * <p>Every record starts with a fixed header (big-endian):
 * <pre>
 * offset size field
 *  0      4   length          whole record in bytes, this field included
 *  4      4   crc             CRC32C of bytes [8, length)
 *  8      1   magic           {@link #MAGIC} (format version)
 *  9      1   type            {@link #TYPE_MESSAGE}, {@link #TYPE_TOPIC_CREATED}, {@link #TYPE_OFFSETS},
 *                             {@link #TYPE_TOPIC_DELETED}, {@link #TYPE_PEER}
 * 10      8   raftIndex       Raft log index of the entry that wrote the record
 * 18      4   entrySeq        position of the record among the records of its entry (0-based)
 * 22      4   entryCount      number of records the entry wrote (all of them carry the same count)
 * 26      8   timestamp       store timestamp, ms since the epoch, chosen by the leader
 * 34      8   producerId      0 when the write was not idempotent
 * 42      8   producerSeq     sequence of the producer request that wrote the record
 * </pre>
 * followed by the type's payload. Strings are UTF-8 with an unsigned 16-bit length prefix.
 * <pre>
 * MESSAGE:        topic:str  queue:i32  queueOffset:i64  key:str  tags:str
 *                 propertyCount:u16 (name:str valueLength:i32 value:bytes)*  bodyLength:i32 body:bytes
 * TOPIC_CREATED:  topic:str  queues:i32
 * OFFSETS:        group:str  topic:str  count:u16 (queue:i32 offset:i64)*   (a consumer group's commit)
 * TOPIC_DELETED:  topic:str
 * PEER:           id:str  host:str  raftPort:i32  grpcPort:i32  removed:u8   (membership bookkeeping)
 * </pre>
 * Records of one Raft entry are written together, so recovery can drop an entry that was only
 * partly written: the last record of an entry has {@code entrySeq == entryCount - 1}.
 * Properties are written sorted by name, so every replica writes identical bytes.
 */
public final class RecordCodec {
    public static final byte MAGIC = 1;
    public static final byte TYPE_MESSAGE = 1;
    public static final byte TYPE_TOPIC_CREATED = 2;
    public static final byte TYPE_OFFSETS = 3;
    public static final byte TYPE_TOPIC_DELETED = 4;
    public static final byte TYPE_PEER = 5;

    public static final int LENGTH_OFFSET = 0;
    public static final int CRC_OFFSET = 4;
    public static final int MAGIC_OFFSET = 8;
    public static final int TYPE_OFFSET = 9;
    public static final int RAFT_INDEX_OFFSET = 10;
    public static final int ENTRY_SEQ_OFFSET = 18;
    public static final int ENTRY_COUNT_OFFSET = 22;
    public static final int TIMESTAMP_OFFSET = 26;
    public static final int PRODUCER_ID_OFFSET = 34;
    public static final int PRODUCER_SEQ_OFFSET = 42;
    public static final int HEADER_SIZE = 50;
    /** The CRC covers everything after the CRC field. */
    public static final int CRC_START = MAGIC_OFFSET;
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

    /** A TOPIC_CREATED record's payload. */
    public record TopicCreated(String topic, int queues) {
    }

    /** Bytes a MESSAGE record will take. */
    public static int messageSize(byte[] topic, byte[] key, byte[] tags, SortedMap<String, String> properties,
                                  int bodyLength) {
        int size = HEADER_SIZE + 2 + topic.length + 4 + 8 + 2 + key.length + 2 + tags.length + 2 + 4 + bodyLength;
        for (Map.Entry<String, String> e : properties.entrySet()) {
            size += 2 + utf8(e.getKey()).length + 4 + utf8(e.getValue()).length;
        }
        return size;
    }

    /**
     * Writes a MESSAGE record at the buffer's position; the CRC and the entry count are filled in later
     * by {@link #seal}.
     */
    public static void writeMessage(ByteBuffer buf, int length, long raftIndex, int entrySeq, long timestamp,
                                    long producerId, long producerSeq, byte[] topic, int queue, long offset,
                                    byte[] key, byte[] tags, SortedMap<String, String> properties,
                                    ByteBuffer body) {
        writeHeader(buf, length, TYPE_MESSAGE, raftIndex, entrySeq, timestamp, producerId, producerSeq);
        putString(buf, topic);
        buf.putInt(queue);
        buf.putLong(offset);
        putString(buf, key);
        putString(buf, tags);
        buf.putShort((short) properties.size());
        for (Map.Entry<String, String> e : properties.entrySet()) {
            putString(buf, utf8(e.getKey()));
            byte[] value = utf8(e.getValue());
            buf.putInt(value.length);
            buf.put(value);
        }
        buf.putInt(body.remaining());
        buf.put(body.duplicate());
    }

    public static int topicCreatedSize(byte[] topic) {
        return HEADER_SIZE + 2 + topic.length + 4;
    }

    public static void writeTopicCreated(ByteBuffer buf, long raftIndex, int entrySeq, long timestamp,
                                         byte[] topic, int queues) {
        writeHeader(buf, topicCreatedSize(topic), TYPE_TOPIC_CREATED, raftIndex, entrySeq, timestamp, 0, 0);
        putString(buf, topic);
        buf.putInt(queues);
    }

    private static void writeHeader(ByteBuffer buf, int length, byte type, long raftIndex, int entrySeq,
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
        buf.putInt(start + ENTRY_COUNT_OFFSET, entryCount);
        int length = buf.getInt(start + LENGTH_OFFSET);
        buf.putInt(start + CRC_OFFSET, crc(buf, start, length));
    }

    /** CRC32C of the record at {@code start} (the bytes the CRC field covers). */
    public static int crc(ByteBuffer buf, int start, int length) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = buf.duplicate();
        view.limit(start + length).position(start + CRC_START);
        crc.update(view);
        return (int) crc.getValue();
    }

    /**
     * Checks the record at {@code start}: plausible length, fully present, right magic, matching CRC.
     * Returns its length, or -1 when the bytes are not a valid record.
     */
    public static int validate(ByteBuffer buf, int start) {
        if (buf.limit() - start < HEADER_SIZE) {
            return -1;
        }
        int length = buf.getInt(start + LENGTH_OFFSET);
        if (length < HEADER_SIZE || length > MAX_RECORD_SIZE || length > buf.limit() - start) {
            return -1;
        }
        if (buf.get(start + MAGIC_OFFSET) != MAGIC) {
            return -1;
        }
        byte type = buf.get(start + TYPE_OFFSET);
        if (type < TYPE_MESSAGE || type > TYPE_PEER) {
            return -1;
        }
        return buf.getInt(start + CRC_OFFSET) == crc(buf, start, length) ? length : -1;
    }

    public static Header readHeader(ByteBuffer buf, int start) {
        return new Header(buf.get(start + TYPE_OFFSET), buf.getLong(start + RAFT_INDEX_OFFSET),
                buf.getInt(start + ENTRY_SEQ_OFFSET), buf.getInt(start + ENTRY_COUNT_OFFSET),
                buf.getLong(start + TIMESTAMP_OFFSET), buf.getLong(start + PRODUCER_ID_OFFSET),
                buf.getLong(start + PRODUCER_SEQ_OFFSET), buf.getInt(start + LENGTH_OFFSET));
    }

    /** Decodes the MESSAGE record at {@code start}; the body is a read-only view into {@code buf}. */
    public static MessageRecord readMessage(ByteBuffer buf, int start) {
        Header h = readHeader(buf, start);
        if (h.type() != TYPE_MESSAGE) {
            throw new CorruptStoreException("record type " + h.type() + " is not a message");
        }
        ByteBuffer in = buf.duplicate();
        in.position(start + HEADER_SIZE);
        String topic = getString(in);
        int queue = in.getInt();
        long offset = in.getLong();
        String key = getString(in);
        String tags = getString(in);
        int propertyCount = Short.toUnsignedInt(in.getShort());
        Map<String, String> properties = propertyCount == 0 ? Collections.emptyMap()
                : new LinkedHashMap<>(propertyCount * 2);
        for (int i = 0; i < propertyCount; i++) {
            String name = getString(in);
            byte[] value = new byte[in.getInt()];
            in.get(value);
            properties.put(name, new String(value, StandardCharsets.UTF_8));
        }
        int bodyLength = in.getInt();
        ByteBuffer body = in.slice(in.position(), bodyLength).asReadOnlyBuffer();
        return new MessageRecord(topic, queue, offset, h.raftIndex(), h.timestamp(), h.producerId(),
                h.producerSeq(), key, tags, properties, body);
    }

    /** An OFFSETS record's payload: a consumer group's committed offsets in one topic. */
    public record Offsets(String group, String topic, int[] queues, long[] offsets) {
    }

    public static int offsetsSize(byte[] group, byte[] topic, int count) {
        return HEADER_SIZE + 2 + group.length + 2 + topic.length + 2 + 12 * count;
    }

    public static void writeOffsets(ByteBuffer buf, long raftIndex, int entrySeq, long timestamp, byte[] group,
                                    byte[] topic, int[] queues, long[] offsets) {
        writeHeader(buf, offsetsSize(group, topic, queues.length), TYPE_OFFSETS, raftIndex, entrySeq, timestamp, 0, 0);
        putString(buf, group);
        putString(buf, topic);
        buf.putShort((short) queues.length);
        for (int i = 0; i < queues.length; i++) {
            buf.putInt(queues[i]).putLong(offsets[i]);
        }
    }

    public static Offsets readOffsets(ByteBuffer buf, int start) {
        ByteBuffer in = buf.duplicate();
        in.position(start + HEADER_SIZE);
        String group = getString(in);
        String topic = getString(in);
        int n = Short.toUnsignedInt(in.getShort());
        int[] queues = new int[n];
        long[] offsets = new long[n];
        for (int i = 0; i < n; i++) {
            queues[i] = in.getInt();
            offsets[i] = in.getLong();
        }
        return new Offsets(group, topic, queues, offsets);
    }

    /** Topic, queue and queue offset of a MESSAGE record, without decoding the rest. */
    public record MessageKey(String topic, int queue, long offset) {
    }

    public static MessageKey readMessageKey(ByteBuffer buf, int start) {
        ByteBuffer in = buf.duplicate();
        in.position(start + HEADER_SIZE);
        String topic = getString(in);
        return new MessageKey(topic, in.getInt(), in.getLong());
    }

    public static int topicDeletedSize(byte[] topic) {
        return HEADER_SIZE + 2 + topic.length;
    }

    public static void writeTopicDeleted(ByteBuffer buf, long raftIndex, int entrySeq, long timestamp, byte[] topic) {
        writeHeader(buf, topicDeletedSize(topic), TYPE_TOPIC_DELETED, raftIndex, entrySeq, timestamp, 0, 0);
        putString(buf, topic);
    }

    /** The topic of a TOPIC_DELETED record. */
    public static String readTopicDeleted(ByteBuffer buf, int start) {
        ByteBuffer in = buf.duplicate();
        in.position(start + HEADER_SIZE);
        return getString(in);
    }

    /** A node's address as the group knows it; {@code removed} marks a node taken out of the group. */
    public record Peer(String id, String host, int raftPort, int grpcPort, boolean removed) {
    }

    public static int peerSize(Peer p) {
        return HEADER_SIZE + 2 + utf8(p.id()).length + 2 + utf8(p.host()).length + 9;
    }

    public static void writePeer(ByteBuffer buf, long raftIndex, int entrySeq, long timestamp, Peer p) {
        writeHeader(buf, peerSize(p), TYPE_PEER, raftIndex, entrySeq, timestamp, 0, 0);
        putString(buf, utf8(p.id()));
        putString(buf, utf8(p.host()));
        buf.putInt(p.raftPort()).putInt(p.grpcPort()).put((byte) (p.removed() ? 1 : 0));
    }

    public static Peer readPeer(ByteBuffer buf, int start) {
        ByteBuffer in = buf.duplicate();
        in.position(start + HEADER_SIZE);
        return new Peer(getString(in), getString(in), in.getInt(), in.getInt(), in.get() == 1);
    }

    public static TopicCreated readTopicCreated(ByteBuffer buf, int start) {
        ByteBuffer in = buf.duplicate();
        in.position(start + HEADER_SIZE);
        String topic = getString(in);
        return new TopicCreated(topic, in.getInt());
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putString(ByteBuffer buf, byte[] bytes) {
        if (bytes.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("string of " + bytes.length + " bytes exceeds " + MAX_STRING_BYTES);
        }
        buf.putShort((short) bytes.length);
        buf.put(bytes);
    }

    private static String getString(ByteBuffer in) {
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
