package io.dledger.broker.store;

import static io.dledger.broker.store.RecordCodec.HEADER_SIZE;
import static io.dledger.broker.store.RecordCodec.TYPE_MESSAGE;
import static io.dledger.broker.store.RecordCodec.getString;
import static io.dledger.broker.store.RecordCodec.putString;
import static io.dledger.broker.store.RecordCodec.utf8;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;

/**
 * Byte format of a MESSAGE record's payload ({@link RecordCodec#TYPE_MESSAGE}), and its codec. Stateless and
 * thread-safe.
 *
 * <p>The payload follows the record header ({@link RecordCodec}); {@code str} is a string field as
 * {@link RecordCodec} encodes it:
 * <pre>
 * MESSAGE:        topic:str  queue:i32  queueOffset:i64  key:str  tags:str
 *                 propertyCount:u16 (name:str valueLength:i32 value:bytes)*  bodyLength:i32 body:bytes
 * </pre>
 * Properties are written sorted by name, so every replica writes identical bytes.
 */
final class MessageRecordCodec {
    private MessageRecordCodec() {
    }

    /** Topic, queue and queue offset of a MESSAGE record, without decoding the rest. */
    record MessageKey(String topic, int queue, long offset) {
    }

    /** Bytes a MESSAGE record will take. */
    static int messageSize(byte[] topic, byte[] key, byte[] tags, SortedMap<String, String> properties,
                           int bodyLength) {
        int size = HEADER_SIZE + 2 + topic.length + 4 + 8 + 2 + key.length + 2 + tags.length + 2 + 4 + bodyLength;
        for (Map.Entry<String, String> e : properties.entrySet()) {
            size += 2 + utf8(e.getKey()).length + 4 + utf8(e.getValue()).length;
        }
        return size;
    }

    /**
     * Writes a MESSAGE record at the buffer's position; the CRC and the entry count are filled in later
     * by {@link RecordCodec#seal}.
     */
    static void writeMessage(ByteBuffer buf, int length, long raftIndex, int entrySeq, long timestamp,
                             long producerId, long producerSeq, byte[] topic, int queue, long offset,
                             byte[] key, byte[] tags, SortedMap<String, String> properties, ByteBuffer body) {
        RecordCodec.writeHeader(buf, length, TYPE_MESSAGE, raftIndex, entrySeq, timestamp, producerId, producerSeq);
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

    /** Decodes the MESSAGE record at {@code start}; the body is a view into {@code buf} (no copy). */
    static MessageRecord readMessage(ByteBuffer buf, int start) {
        RecordCodec.Header h = RecordCodec.readHeader(buf, start);
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
        ByteBuffer body = in.slice(in.position(), bodyLength);
        return new MessageRecord(topic, queue, offset, h.raftIndex(), h.timestamp(), h.producerId(),
                h.producerSeq(), key, tags, properties, body);
    }

    static MessageKey readMessageKey(ByteBuffer buf, int start) {
        ByteBuffer in = buf.duplicate();
        in.position(start + HEADER_SIZE);
        String topic = getString(in);
        return new MessageKey(topic, in.getInt(), in.getLong());
    }
}
