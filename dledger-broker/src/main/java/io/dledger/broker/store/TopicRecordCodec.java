package io.dledger.broker.store;

import static io.dledger.broker.store.RecordCodec.HEADER_SIZE;
import static io.dledger.broker.store.RecordCodec.TYPE_TOPIC_CREATED;
import static io.dledger.broker.store.RecordCodec.TYPE_TOPIC_DELETED;
import static io.dledger.broker.store.RecordCodec.getString;
import static io.dledger.broker.store.RecordCodec.putString;

import java.nio.ByteBuffer;

/**
 * Byte format of the payloads of a topic's lifecycle records, TOPIC_CREATED ({@link RecordCodec#TYPE_TOPIC_CREATED})
 * and TOPIC_DELETED ({@link RecordCodec#TYPE_TOPIC_DELETED}), and their codec. Stateless and thread-safe.
 *
 * <p>The payload follows the record header ({@link RecordCodec}); {@code str} is a string field as
 * {@link RecordCodec} encodes it:
 * <pre>
 * TOPIC_CREATED:  topic:str  queues:i32
 * TOPIC_DELETED:  topic:str
 * </pre>
 */
final class TopicRecordCodec {
    private TopicRecordCodec() {
    }

    /** A TOPIC_CREATED record's payload. */
    record TopicCreated(String topic, int queues) {
    }

    static int topicCreatedSize(byte[] topic) {
        return HEADER_SIZE + 2 + topic.length + 4;
    }

    static void writeTopicCreated(ByteBuffer buf, long raftIndex, int entrySeq, long timestamp, byte[] topic,
                                  int queues) {
        RecordCodec.writeHeader(buf, topicCreatedSize(topic), TYPE_TOPIC_CREATED, raftIndex, entrySeq, timestamp,
                0, 0);
        putString(buf, topic);
        buf.putInt(queues);
    }

    static TopicCreated readTopicCreated(ByteBuffer buf, int start) {
        ByteBuffer in = buf.duplicate();
        in.position(start + HEADER_SIZE);
        String topic = getString(in);
        return new TopicCreated(topic, in.getInt());
    }

    static int topicDeletedSize(byte[] topic) {
        return HEADER_SIZE + 2 + topic.length;
    }

    static void writeTopicDeleted(ByteBuffer buf, long raftIndex, int entrySeq, long timestamp, byte[] topic) {
        RecordCodec.writeHeader(buf, topicDeletedSize(topic), TYPE_TOPIC_DELETED, raftIndex, entrySeq, timestamp,
                0, 0);
        putString(buf, topic);
    }

    /** The topic of a TOPIC_DELETED record. */
    static String readTopicDeleted(ByteBuffer buf, int start) {
        ByteBuffer in = buf.duplicate();
        in.position(start + HEADER_SIZE);
        return getString(in);
    }
}
