package io.dledger.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import io.dledger.broker.disk.DurableFiles;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class CheckpointCodecTest {

    private static Checkpoint sample() {
        return new Checkpoint(17, 4096, 60_000, 1234,
                List.of(new Checkpoint.Topic("a", 12, new long[] {0, 3}, new long[] {5, 9})),
                List.of(new Checkpoint.Producer(-5L, 1000, 2, new long[] {3, 4}, new long[] {100, 200})),
                List.of(new Checkpoint.GroupOffsets("g", "a", new int[] {0, 1}, new long[] {4, 8})),
                List.of(new RecordCodec.Peer("n4", "h4", 7004, 9004, false)));
    }

    @Test
    void roundTripThroughAFile(@TempDir Path dir) throws java.io.IOException {
        Path f = dir.resolve("checkpoint");
        CheckpointCodec.write(f, sample());
        Checkpoint back = CheckpointCodec.read(f);
        assertThat(back.raftIndex()).isEqualTo(17);
        assertThat(back.logPosition()).isEqualTo(4096);
        assertThat(back.nextExpiryCheck()).isEqualTo(60_000);
        assertThat(back.lastTimestamp()).isEqualTo(1234);
        assertThat(back.topics()).hasSize(1);
        assertThat(back.topics().get(0).name()).isEqualTo("a");
        assertThat(back.topics().get(0).incarnation()).isEqualTo(12);
        assertThat(back.topics().get(0).minOffsets()).containsExactly(0, 3);
        assertThat(back.topics().get(0).nextOffsets()).containsExactly(5, 9);
        Checkpoint.Producer p = back.producers().get(0);
        assertThat(p.producerId()).isEqualTo(-5L);
        assertThat(p.seqs()).containsExactly(3, 4);
        assertThat(p.positions()).containsExactly(100, 200);
        Checkpoint.GroupOffsets g = back.groupOffsets().get(0);
        assertThat(g.group()).isEqualTo("g");
        assertThat(g.topic()).isEqualTo("a");
        assertThat(g.queues()).containsExactly(0, 1);
        assertThat(g.offsets()).containsExactly(4, 8);
        assertThat(back.peers()).containsExactly(new RecordCodec.Peer("n4", "h4", 7004, 9004, false));
        try (java.util.stream.Stream<Path> names = Files.list(dir)) {
            assertThat(names).noneMatch(n -> n.toString().endsWith(DurableFiles.TEMP_SUFFIX));
        }
    }

    @Test
    void preambleIsMagicVersionLengthCrc() {
        byte[] bytes = CheckpointCodec.encode(sample());
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
        assertThat(b.getInt(0)).isEqualTo(CheckpointCodec.MAGIC);
        assertThat(b.getInt(4)).isEqualTo(CheckpointCodec.VERSION);
        assertThat(b.getInt(8)).isEqualTo(bytes.length - CheckpointCodec.PREAMBLE_SIZE);
    }

    /** A checkpoint of version 1, before topics had an incarnation, is still read: its topics' incarnation is 0. */
    @Test
    void versionOneIsReadWithUnknownIncarnations() {
        byte[] name = "a".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer body = java.nio.ByteBuffer.allocate(32 + 4 + 2 + name.length + 4 + 16 + 4 + 4 + 4);
        body.putLong(17).putLong(4096).putLong(60_000).putLong(1234);
        body.putInt(1).putShort((short) name.length).put(name).putInt(1).putLong(2).putLong(7); // no incarnation
        body.putInt(0).putInt(0).putInt(0); // no producers, groups or peers
        body.flip();
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(body.duplicate());
        java.nio.ByteBuffer file = java.nio.ByteBuffer.allocate(CheckpointCodec.PREAMBLE_SIZE + body.remaining());
        file.putInt(CheckpointCodec.MAGIC).putInt(CheckpointCodec.VERSION_WITHOUT_INCARNATION).putInt(body.remaining())
                .putInt((int) crc.getValue()).put(body);

        Checkpoint back = CheckpointCodec.decode(file.array(), "v1");

        assertThat(back.raftIndex()).isEqualTo(17);
        assertThat(back.topics()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("a");
            assertThat(t.incarnation()).isZero();
            assertThat(t.minOffsets()).containsExactly(2);
            assertThat(t.nextOffsets()).containsExactly(7);
        });
        assertThat(back.producers()).isEmpty();
        byte[] future = CheckpointCodec.encode(sample());
        java.nio.ByteBuffer.wrap(future).putInt(4, CheckpointCodec.VERSION + 1);
        assertThatThrownBy(() -> CheckpointCodec.decode(future, "v3")).isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("unsupported checkpoint version 3");
    }

    @Test
    void damagedCheckpointFailsLoudly() {
        byte[] bytes = CheckpointCodec.encode(sample());
        bytes[bytes.length - 3] ^= 1;
        assertThatThrownBy(() -> CheckpointCodec.decode(bytes, "test")).isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("CRC");
        byte[] truncated = java.util.Arrays.copyOf(CheckpointCodec.encode(sample()), 20);
        assertThatThrownBy(() -> CheckpointCodec.decode(truncated, "test"))
                .isInstanceOf(CorruptStoreException.class);
    }
}
