package io.dledger.broker.store;

import static io.dledger.broker.store.RecordCodec.HEADER_SIZE;
import static io.dledger.broker.store.RecordCodec.TYPE_GROUP_DELETED;
import static io.dledger.broker.store.RecordCodec.TYPE_OFFSETS;
import static io.dledger.broker.store.RecordCodec.getString;
import static io.dledger.broker.store.RecordCodec.putString;

import java.nio.ByteBuffer;

/**
 * Byte format of the consumer group records' payloads, OFFSETS ({@link RecordCodec#TYPE_OFFSETS}: a group's commit)
 * and GROUP_DELETED ({@link RecordCodec#TYPE_GROUP_DELETED}: a group's offsets on a topic deleted), and their codec.
 * Stateless and thread-safe.
 *
 * <p>The payload follows the record header ({@link RecordCodec}); {@code str} is a string field as
 * {@link RecordCodec} encodes it:
 * <pre>
 * OFFSETS:        group:str  topic:str  count:u16 (queue:i32 offset:i64)*   (a consumer group's commit)
 * GROUP_DELETED:  group:str  topic:str                                        (its offsets on the topic deleted)
 * </pre>
 */
final class OffsetsRecordCodec {
    private OffsetsRecordCodec() {
    }

    /** An OFFSETS record's payload: a consumer group's committed offsets in one topic. */
    record Offsets(String group, String topic, int[] queues, long[] offsets) {
    }

    /** A GROUP_DELETED record's payload: the group whose offsets on the topic are gone. */
    record GroupDeleted(String group, String topic) {
    }

    static int offsetsSize(byte[] group, byte[] topic, int count) {
        return groupDeletedSize(group, topic) + 2 + 12 * count; // the same group and topic, then the queues
    }

    static void writeOffsets(ByteBuffer buf, long raftIndex, int entrySeq, long timestamp, byte[] group,
                             byte[] topic, int[] queues, long[] offsets) {
        RecordCodec.writeHeader(buf, offsetsSize(group, topic, queues.length), TYPE_OFFSETS, raftIndex, entrySeq,
                timestamp, 0, 0);
        putString(buf, group);
        putString(buf, topic);
        buf.putShort((short) queues.length);
        for (int i = 0; i < queues.length; i++) {
            buf.putInt(queues[i]).putLong(offsets[i]);
        }
    }

    static Offsets readOffsets(ByteBuffer buf, int start) {
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

    static int groupDeletedSize(byte[] group, byte[] topic) {
        return HEADER_SIZE + 2 + group.length + 2 + topic.length;
    }

    static void writeGroupDeleted(ByteBuffer buf, long raftIndex, int entrySeq, long timestamp, byte[] group,
                                  byte[] topic) {
        RecordCodec.writeHeader(buf, groupDeletedSize(group, topic), TYPE_GROUP_DELETED, raftIndex, entrySeq,
                timestamp, 0, 0);
        putString(buf, group);
        putString(buf, topic);
    }

    static GroupDeleted readGroupDeleted(ByteBuffer buf, int start) {
        ByteBuffer in = buf.duplicate();
        in.position(start + HEADER_SIZE);
        return new GroupDeleted(getString(in), getString(in));
    }
}
