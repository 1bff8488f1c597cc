package io.dledger.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The record frame ({@link RecordCodec}) and every record type's payload codec, round trip and byte layout. */
@Timeout(10)
class RecordCodecTest {

    private static ByteBuffer encodeMessage(long raftIndex, int seq, int count) {
        byte[] topic = RecordCodec.utf8("orders");
        byte[] key = RecordCodec.utf8("k1");
        byte[] tags = RecordCodec.utf8("TagA");
        TreeMap<String, String> props = new TreeMap<>();
        props.put("b", "2");
        props.put("a", "1");
        ByteBuffer body = ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8));
        int size = MessageRecordCodec.messageSize(topic, key, tags, props, body.remaining());
        ByteBuffer buf = ByteBuffer.allocate(size);
        MessageRecordCodec.writeMessage(buf, size, raftIndex, seq, 1234L, 77L, 5L, topic, 3, 42L, key, tags, props,
                body);
        RecordCodec.seal(buf, 0, count);
        buf.flip();
        return buf;
    }

    @Test
    void messageRoundTrip() {
        ByteBuffer buf = encodeMessage(9, 0, 1);
        assertThat(RecordCodec.validate(buf, 0)).isEqualTo(buf.limit());
        MessageRecord m = MessageRecordCodec.readMessage(buf, 0);
        assertThat(m.topic()).isEqualTo("orders");
        assertThat(m.queue()).isEqualTo(3);
        assertThat(m.offset()).isEqualTo(42L);
        assertThat(m.raftIndex()).isEqualTo(9L);
        assertThat(m.storeTimestamp()).isEqualTo(1234L);
        assertThat(m.producerId()).isEqualTo(77L);
        assertThat(m.producerSequence()).isEqualTo(5L);
        assertThat(m.key()).isEqualTo("k1");
        assertThat(m.tags()).isEqualTo("TagA");
        assertThat(m.properties()).containsExactly(java.util.Map.entry("a", "1"), java.util.Map.entry("b", "2"));
        assertThat(StandardCharsets.UTF_8.decode(m.body()).toString()).isEqualTo("hello");
    }

    @Test
    void headerFieldsSitAtTheDocumentedOffsets() {
        ByteBuffer buf = encodeMessage(9, 2, 3);
        assertThat(buf.getInt(RecordCodec.LENGTH_POS)).isEqualTo(buf.limit());
        assertThat(buf.get(RecordCodec.MAGIC_POS)).isEqualTo(RecordCodec.MAGIC);
        assertThat(buf.get(RecordCodec.TYPE_POS)).isEqualTo(RecordCodec.TYPE_MESSAGE);
        assertThat(buf.getLong(RecordCodec.RAFT_INDEX_POS)).isEqualTo(9L);
        assertThat(buf.getInt(RecordCodec.ENTRY_SEQ_POS)).isEqualTo(2);
        assertThat(buf.getInt(RecordCodec.ENTRY_COUNT_POS)).isEqualTo(3);
        assertThat(buf.getLong(RecordCodec.TIMESTAMP_POS)).isEqualTo(1234L);
        assertThat(buf.getLong(RecordCodec.PRODUCER_ID_POS)).isEqualTo(77L);
        assertThat(buf.getLong(RecordCodec.PRODUCER_SEQ_POS)).isEqualTo(5L);
        // payload starts right after the header with the topic's length prefix
        assertThat(buf.getShort(RecordCodec.HEADER_SIZE)).isEqualTo((short) "orders".length());
        assertThat(RecordCodec.readHeader(buf, 0).lastOfEntry()).isTrue();
    }

    @Test
    void everyFlippedByteIsDetected() {
        ByteBuffer good = encodeMessage(1, 0, 1);
        for (int i = 0; i < good.limit(); i++) {
            ByteBuffer bad = ByteBuffer.allocate(good.limit());
            bad.put(good.duplicate()).flip();
            bad.put(i, (byte) (bad.get(i) ^ 0x10));
            assertThat(RecordCodec.validate(bad, 0)).as("flip at byte %d", i).isEqualTo(-1);
        }
    }

    @Test
    void truncatedRecordIsInvalid() {
        ByteBuffer good = encodeMessage(1, 0, 1);
        good.limit(good.limit() - 1);
        assertThat(RecordCodec.validate(good, 0)).isEqualTo(-1);
    }

    @Test
    void topicCreatedRoundTrip() {
        byte[] topic = RecordCodec.utf8("t");
        ByteBuffer buf = ByteBuffer.allocate(TopicRecordCodec.topicCreatedSize(topic));
        TopicRecordCodec.writeTopicCreated(buf, 4, 0, 99, topic, 8);
        RecordCodec.seal(buf, 0, 1);
        buf.flip();
        assertThat(RecordCodec.validate(buf, 0)).isPositive();
        assertThat(RecordCodec.readHeader(buf, 0).type()).isEqualTo(RecordCodec.TYPE_TOPIC_CREATED);
        assertThat(TopicRecordCodec.readTopicCreated(buf, 0)).isEqualTo(new TopicRecordCodec.TopicCreated("t", 8));
    }

    @Test
    void emptyFieldsRoundTrip() {
        byte[] topic = RecordCodec.utf8("t");
        int size = MessageRecordCodec.messageSize(topic, new byte[0], new byte[0], Collections.emptySortedMap(), 1);
        ByteBuffer buf = ByteBuffer.allocate(size);
        MessageRecordCodec.writeMessage(buf, size, 1, 0, 0, 0, 0, topic, 0, 0, new byte[0], new byte[0],
                Collections.emptySortedMap(), ByteBuffer.wrap(new byte[] {7}));
        RecordCodec.seal(buf, 0, 1);
        buf.flip();
        MessageRecord m = MessageRecordCodec.readMessage(buf, 0);
        assertThat(m.key()).isEmpty();
        assertThat(m.properties()).isEmpty();
        assertThat(m.body().get(0)).isEqualTo((byte) 7);
    }

    @Test
    void messageKeyReadsTopicQueueAndOffsetOnly() {
        ByteBuffer buf = encodeMessage(9, 0, 1);
        assertThat(MessageRecordCodec.readMessageKey(buf, 0))
                .isEqualTo(new MessageRecordCodec.MessageKey("orders", 3, 42L));
    }

    @Test
    void topicDeletedRoundTrip() {
        byte[] topic = RecordCodec.utf8("gone");
        ByteBuffer buf = ByteBuffer.allocate(TopicRecordCodec.topicDeletedSize(topic));
        TopicRecordCodec.writeTopicDeleted(buf, 6, 0, 99, topic);
        sealAndCheck(buf, 1, RecordCodec.TYPE_TOPIC_DELETED);
        assertThat(TopicRecordCodec.readTopicDeleted(buf, 0)).isEqualTo("gone");
    }

    @Test
    void offsetsRoundTrip() {
        byte[] group = RecordCodec.utf8("g");
        byte[] topic = RecordCodec.utf8("t");
        ByteBuffer buf = ByteBuffer.allocate(OffsetsRecordCodec.offsetsSize(group, topic, 2));
        OffsetsRecordCodec.writeOffsets(buf, 7, 1, 99, group, topic, new int[] {0, 3}, new long[] {5, 8});
        sealAndCheck(buf, 2, RecordCodec.TYPE_OFFSETS);
        OffsetsRecordCodec.Offsets o = OffsetsRecordCodec.readOffsets(buf, 0);
        assertThat(o.group()).isEqualTo("g");
        assertThat(o.topic()).isEqualTo("t");
        assertThat(o.queues()).containsExactly(0, 3);
        assertThat(o.offsets()).containsExactly(5L, 8L);
    }

    @Test
    void groupDeletedRoundTrip() {
        byte[] group = RecordCodec.utf8("g");
        byte[] topic = RecordCodec.utf8("t");
        ByteBuffer buf = ByteBuffer.allocate(OffsetsRecordCodec.groupDeletedSize(group, topic));
        OffsetsRecordCodec.writeGroupDeleted(buf, 7, 1, 99, group, topic);
        assertThat(buf.position()).isEqualTo(RecordCodec.HEADER_SIZE + 3 + 3);
        sealAndCheck(buf, 2, RecordCodec.TYPE_GROUP_DELETED);
        assertThat(OffsetsRecordCodec.readGroupDeleted(buf, 0)).isEqualTo(new OffsetsRecordCodec.GroupDeleted("g", "t"));
        buf.put(RecordCodec.TYPE_POS, (byte) (RecordCodec.TYPE_GROUP_DELETED + 1));
        assertThat(RecordCodec.validate(buf, 0)).as("a type newer than this version knows").isEqualTo(-1);
    }

    @Test
    void peerRoundTrip() {
        RecordCodec.Peer p = new RecordCodec.Peer("n4", "h4", 7004, 9004, true);
        ByteBuffer buf = ByteBuffer.allocate(PeerRecordCodec.peerSize(p));
        PeerRecordCodec.writePeer(buf, 8, 0, 99, p);
        sealAndCheck(buf, 1, RecordCodec.TYPE_PEER);
        assertThat(PeerRecordCodec.readPeer(buf, 0)).isEqualTo(p);
    }

    /**
     * Seals the record at the start of {@code buf} as one of {@code entryRecords}, flips it, checks its CRC and
     * type.
     */
    private static void sealAndCheck(ByteBuffer buf, int entryRecords, byte type) {
        RecordCodec.seal(buf, 0, entryRecords);
        buf.flip();
        assertThat(RecordCodec.validate(buf, 0)).isEqualTo(buf.limit());
        assertThat(RecordCodec.readHeader(buf, 0).type()).isEqualTo(type);
    }
}
