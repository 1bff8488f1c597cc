package io.dledger.broker.store;

import static io.dledger.broker.store.RecordCodec.HEADER_SIZE;
import static io.dledger.broker.store.RecordCodec.TYPE_OFFSETS;
import static io.dledger.broker.store.RecordCodec.getString;
import static io.dledger.broker.store.RecordCodec.putString;

import java.nio.ByteBuffer;

/**
 * Byte format of an OFFSETS record's payload ({@link RecordCodec#TYPE_OFFSETS}): a consumer group's commit, and its
 * codec. Stateless and thread-safe.
 *
 * <p>The payload follows the record header ({@link RecordCodec}); {@code str} is a string field as
 * {@link RecordCodec} encodes it:
 * <pre>
 * OFFSETS:        group:str  topic:str  count:u16 (queue:i32 offset:i64)*   (a consumer group's commit)
 * </pre>
 * A record with {@code count} 0 deletes the group's offsets on the topic (an operator's {@code DeleteGroup}).
 */
final class OffsetsRecordCodec {
    private OffsetsRecordCodec() {
    }

    /** An OFFSETS record's payload: a consumer group's committed offsets in one topic. */
    record Offsets(String group, String topic, int[] queues, long[] offsets) {
        /** Whether this record deletes the group's offsets on the topic (it has no queues). */
        boolean deletesGroup() {
            return queues.length == 0;
        }
    }

    static int offsetsSize(byte[] group, byte[] topic, int count) {
        return HEADER_SIZE + 2 + group.length + 2 + topic.length + 2 + 12 * count;
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
}
