package io.dledger.broker.raft.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SegmentRecordCodecTest {

    @Test
    void recordFormatIsTheDocumentedLayout() {
        byte[] payload = "abc".getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(SegmentRecordCodec.recordBytes(payload.length));
        SegmentRecordCodec.encode(buf, 42, SegmentRecordCodec.FLAG_CONFIGURATION, payload);
        assertThat(buf.position()).isEqualTo(SegmentRecordCodec.HEADER_BYTES + 3);
        assertThat(buf.getInt(SegmentRecordCodec.LENGTH_POS)).isEqualTo(3);
        assertThat(buf.getInt(SegmentRecordCodec.FLAGS_POS)).isEqualTo(SegmentRecordCodec.FLAG_CONFIGURATION);
        assertThat(buf.getLong(SegmentRecordCodec.INDEX_POS)).isEqualTo(42);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), SegmentRecordCodec.FLAGS_POS,
                SegmentRecordCodec.HEADER_BYTES - SegmentRecordCodec.FLAGS_POS + 3);
        assertThat(buf.getInt(SegmentRecordCodec.CRC_POS)).isEqualTo((int) crc.getValue());
    }

    @Test
    void anEncodedRecordDecodesBackAndADamagedOneFailsItsCrc() {
        byte[] payload = "abc".getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(SegmentRecordCodec.recordBytes(payload.length));
        SegmentRecordCodec.encode(buf, 7, SegmentRecordCodec.FLAG_AFTER_SYNC, payload);
        ByteBuffer header = SegmentRecordCodec.newHeader();
        header.put(0, buf.array(), 0, SegmentRecordCodec.HEADER_BYTES);
        assertThat(SegmentRecordCodec.length(header)).isEqualTo(3);
        assertThat(SegmentRecordCodec.index(header)).isEqualTo(7);

        SegmentRecordCodec.Record r = SegmentRecordCodec.decode(header, payload.clone());
        assertThat(r.index()).isEqualTo(7);
        assertThat(r.flags()).isEqualTo(SegmentRecordCodec.FLAG_AFTER_SYNC);
        assertThat(r.payload()).isEqualTo(payload);

        byte[] damaged = payload.clone();
        damaged[1] ^= 1;
        assertThat(SegmentRecordCodec.decode(header, damaged)).isNull();
    }
}
