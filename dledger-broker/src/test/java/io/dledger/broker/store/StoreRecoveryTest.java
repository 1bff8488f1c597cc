package io.dledger.broker.store;

import static io.dledger.broker.store.StoreFixtures.apply;
import static io.dledger.broker.store.StoreFixtures.bodies;
import static io.dledger.broker.store.StoreFixtures.createTopic;
import static io.dledger.broker.store.StoreFixtures.produce;
import static io.dledger.broker.store.StoreFixtures.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery. A copy of a store's directory taken while the store is open is exactly what
 * {@code kill -9} leaves behind (the page cache survives a process crash): no final checkpoint.
 */
@Timeout(30)
class StoreRecoveryTest {
    @TempDir
    Path live;
    @TempDir
    Path crashed;

    private void crashImage() throws IOException {
        try (Stream<Path> s = Files.walk(live)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Path dest = crashed.resolve(live.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
        }
    }

    private Path lastSegment() throws IOException {
        try (Stream<Path> s = Files.list(crashed.resolve("log"))) {
            return s.max(Comparator.naturalOrder()).orElseThrow();
        }
    }

    /** Writes a checkpoint after entry 3, then entries 4..6 (the last one with five messages). */
    private void writeHistory(MessageStore store) {
        createTopic(store, 1, "t", 1);
        apply(store, 2, produce("t", 1, 1, 0, "a"));
        apply(store, 3, produce("t", 1, 2, 0, "b"));
        store.persist(store.captureCheckpoint());
        apply(store, 4, produce("t", 1, 3, 0, "c"));
        apply(store, 5, produce("t", 1, 4, 0, "d"));
        apply(store, 6, produce("t", 1, 5, 0, "e1", "e2", "e3", "e4", "e5"));
        EntryWriter w = store.writer();
        w.begin(7, 7);
        w.commitOffsets("g", "t", 0, new int[] {0}, new long[] {4}, 0);
        w.commit();
    }

    @Test
    void crashWithoutCheckpointKeepsEverythingWritten() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(live))) {
            writeHistory(store);
            crashImage();
        }
        Files.delete(crashed.resolve("index/t/0/00000000000000000000.idx")); // rebuilt from the log
        try (MessageStore store = MessageStore.open(smallConfig(crashed))) {
            assertThat(store.lastAppliedIndex()).isEqualTo(7);
            assertThat(bodies(store, "t", 0)).containsExactly("a", "b", "c", "d", "e1", "e2", "e3", "e4", "e5");
            assertThat(apply(store, 8, produce("t", 1, 4, 0, "d")).status())
                    .isEqualTo(ProduceResult.Status.DUPLICATE);
            assertThat(store.committedOffsets("g", "t")).containsExactly(java.util.Map.entry(0, 4L));
        }
    }

    @Test
    void aDeletedGroupStaysDeletedAfterACrashAndInTheNextCheckpoint() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(live))) {
            writeHistory(store);
            EntryWriter w = store.writer();
            w.begin(8, 8);
            w.commitOffsets("other", "t", 0, new int[] {0}, new long[] {2}, 0);
            w.commit();
            w.begin(9, 9);
            assertThat(w.deleteGroupOffsets("g", "t")).as("it had offsets").isTrue();
            assertThat(w.deleteGroupOffsets("never", "t")).isFalse();
            w.commitOffsets("fresh", "t", 0, new int[] {0}, new long[] {1}, 0);
            assertThat(w.deleteGroupOffsets("fresh", "t")).as("committed earlier in the same entry").isTrue();
            assertThat(w.deleteGroupOffsets("fresh", "t")).as("deleted earlier in the same entry").isFalse();
            w.commit();
            createTopic(store, 10, "t2", 1);
            w.begin(11, 11);
            w.commitOffsets("g2", "t2", 0, new int[] {0}, new long[] {0}, 0);
            w.commit();
            w.begin(12, 12);
            w.commitOffsets("g3", "t2", 0, new int[] {0}, new long[] {0}, 0);
            assertThat(w.deleteTopic("t2")).isTrue();
            assertThat(w.deleteGroupOffsets("g3", "t2")).as("committed, then its topic deleted, in the entry").isFalse();
            assertThat(w.deleteGroupOffsets("g2", "t2")).as("its topic, deleted earlier in the entry, took them").isFalse();
            w.commit();
            assertThat(store.committedOffsets("g", "t")).isEmpty();
            assertThat(store.committedGroups()).containsOnlyKeys("other");
            crashImage();
        }
        try (MessageStore store = MessageStore.open(smallConfig(crashed))) {
            assertThat(store.lastAppliedIndex()).isEqualTo(12);
            assertThat(store.committedOffsets("g", "t")).as("replayed from the log").isEmpty();
            assertThat(store.committedOffsets("other", "t")).containsExactly(java.util.Map.entry(0, 2L));
            store.persist(store.captureCheckpoint());
        }
        try (MessageStore store = MessageStore.open(smallConfig(crashed))) {
            assertThat(store.committedGroups()).as("from the checkpoint").containsOnlyKeys("other");
        }
    }

    @Test
    void tornTailDropsTheWholeLastEntry() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(live))) {
            writeHistory(store);
            crashImage();
        }
        Path seg = lastSegment();
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            // drops entry 7 (the offsets record) and cuts into the third of the five records of entry 6
            f.setLength(f.length() - 150 - OffsetsRecordCodec.offsetsSize(new byte[1], new byte[1], 1));
        }
        try (MessageStore store = MessageStore.open(smallConfig(crashed))) {
            assertThat(store.lastAppliedIndex()).isEqualTo(5);
            assertThat(bodies(store, "t", 0)).containsExactly("a", "b", "c", "d");
            ProduceResult replay = apply(store, 6, produce("t", 1, 5, 0, "e1", "e2", "e3", "e4", "e5"));
            assertThat(replay.status()).isEqualTo(ProduceResult.Status.OK);
            assertThat(replay.offsets()).containsExactly(4, 5, 6, 7, 8);
        }
    }

    @Test
    void corruptRecordAfterTheCheckpointIsCutWithEverythingAfterIt() throws Exception {
        long positionOfC;
        try (MessageStore store = MessageStore.open(smallConfig(live))) {
            writeHistory(store);
            positionOfC = store.read("t", 0, 0, 2, 1, 1).records().get(0).raftIndex();
            crashImage();
        }
        assertThat(positionOfC).isEqualTo(4);
        Path seg = lastSegment();
        byte[] bytes = Files.readAllBytes(seg);
        int at = indexOf(bytes, "k-c".getBytes());
        bytes[at] ^= 0x01;
        Files.write(seg, bytes);
        try (MessageStore store = MessageStore.open(smallConfig(crashed))) {
            assertThat(store.lastAppliedIndex()).isEqualTo(3);
            assertThat(bodies(store, "t", 0)).containsExactly("a", "b");
            assertThat(store.topic("t").maxOffsets()).containsExactly(2);
        }
    }

    @Test
    void damagedIndexesAreRebuiltFromTheLog() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(live))) {
            writeHistory(store);
            crashImage();
        }
        try (RandomAccessFile f = new RandomAccessFile(
                crashed.resolve("index/t/0/00000000000000000000.idx").toFile(), "rw")) {
            f.setLength(IndexFile.ENTRY_SIZE); // the checkpoint promised two entries
        }
        try (MessageStore store = MessageStore.open(smallConfig(crashed))) {
            assertThat(bodies(store, "t", 0)).containsExactly("a", "b", "c", "d", "e1", "e2", "e3", "e4", "e5");
        }
    }

    /** Messages of a deleted topic, and of an earlier topic of the same name, stay in the log but in no index. */
    @Test
    void indexesAreRebuiltPastDeletedAndRecreatedTopics() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(live))) {
            createTopic(store, 1, "old", 1);
            apply(store, 2, produce("old", 1, 1, 0, "o1", "o2"));
            createTopic(store, 3, "t", 1);
            apply(store, 4, produce("t", 1, 2, 0, "first life"));
            EntryWriter w = store.writer();
            w.begin(5, 5);
            assertThat(w.deleteTopic("old")).isTrue();
            assertThat(w.deleteTopic("t")).isTrue();
            w.commit();
            createTopic(store, 6, "t", 1);
            apply(store, 7, produce("t", 1, 3, 0, "a", "b"));
            store.persist(store.captureCheckpoint());
            crashImage();
        }
        try (RandomAccessFile f = new RandomAccessFile(
                crashed.resolve("index/t/0/00000000000000000000.idx").toFile(), "rw")) {
            f.setLength(IndexFile.ENTRY_SIZE); // the checkpoint promised two entries
        }
        try (MessageStore store = MessageStore.open(smallConfig(crashed))) {
            assertThat(bodies(store, "t", 0)).containsExactly("a", "b");
            assertThat(store.topic("t").incarnation()).isEqualTo(6);
            assertThat(store.topic("old")).isNull();
        }
    }

    /** A topic's incarnation is the Raft index of the entry that created it, from the checkpoint or the log. */
    @Test
    void topicIncarnationsSurviveACrash() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(live))) {
            createTopic(store, 1, "a", 1);
            createTopic(store, 2, "b", 1);
            store.persist(store.captureCheckpoint());
            EntryWriter w = store.writer();
            w.begin(3, 3);
            assertThat(w.deleteTopic("b")).isTrue();
            w.commit();
            createTopic(store, 4, "b", 1);
            assertThat(store.topic("b").incarnation()).isEqualTo(4);
            crashImage();
        }
        try (MessageStore store = MessageStore.open(smallConfig(crashed))) {
            assertThat(store.topic("a").incarnation()).as("from the checkpoint").isEqualTo(1);
            assertThat(store.topic("b").incarnation()).as("replayed from the log").isEqualTo(4);
            store.persist(store.captureCheckpoint());
        }
        try (MessageStore store = MessageStore.open(smallConfig(crashed))) {
            assertThat(store.topic("b").incarnation()).as("from the new checkpoint").isEqualTo(4);
        }
    }

    /**
     * A store whose checkpoint is of version 1 (no incarnations): its topics' incarnations are unknown (0), and a pull
     * of an incarnation past the checkpoint counts the topic as an older one, not yet replaced here.
     */
    @Test
    void topicsFromAVersionOneCheckpointHaveUnknownIncarnations() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(live))) {
            createTopic(store, 1, "t", 1);
            apply(store, 2, produce("t", 0, 0, 0, "a"));
        } // a clean close writes a checkpoint at index 2
        Checkpoint c = CheckpointCodec.read(live.resolve("checkpoint"));
        assertThat(c.raftIndex()).isEqualTo(2);
        Files.write(live.resolve("checkpoint"), versionOne(c));
        try (MessageStore store = MessageStore.open(smallConfig(live))) {
            assertThat(store.topic("t").incarnation()).isZero();
            assertThat(store.read("t", 0, 0, 0, 10, Long.MAX_VALUE).records()).hasSize(1);
            assertThat(store.read("t", 1, 0, 0, 10, Long.MAX_VALUE).records()).as("may be this one").hasSize(1);
            assertThatThrownBy(() -> store.read("t", 3, 0, 0, 10, Long.MAX_VALUE))
                    .as("created after the checkpoint: not this one")
                    .isInstanceOfSatisfying(ReadRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(ReadRejectedException.Reason.TOPIC_NOT_FOUND));
            store.persist(store.captureCheckpoint());
        }
        assertThat(CheckpointCodec.read(live.resolve("checkpoint")).topics().get(0).incarnation())
                .as("written as version 2, still unknown").isZero();
    }

    /** {@code c} (topics only) in checkpoint version 1, which had no incarnations. */
    private static byte[] versionOne(Checkpoint c) {
        assertThat(c.producers()).isEmpty();
        assertThat(c.groupOffsets()).isEmpty();
        assertThat(c.peers()).isEmpty();
        java.nio.ByteBuffer body = java.nio.ByteBuffer.allocate(1 << 16);
        body.putLong(c.raftIndex()).putLong(c.logPosition()).putLong(c.nextExpiryCheck()).putLong(c.lastTimestamp());
        body.putInt(c.topics().size());
        for (Checkpoint.Topic t : c.topics()) {
            byte[] name = t.name().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            body.putShort((short) name.length).put(name).putInt(t.queues());
            for (int q = 0; q < t.queues(); q++) {
                body.putLong(t.minOffsets()[q]).putLong(t.nextOffsets()[q]);
            }
        }
        body.putInt(0).putInt(0).putInt(0).flip();
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(body.duplicate());
        java.nio.ByteBuffer file = java.nio.ByteBuffer.allocate(CheckpointCodec.PREAMBLE_SIZE + body.remaining());
        file.putInt(CheckpointCodec.MAGIC).putInt(CheckpointCodec.VERSION_WITHOUT_INCARNATION).putInt(body.remaining())
                .putInt((int) crc.getValue()).put(body);
        return file.array();
    }

    @Test
    void indexPointingAtTheWrongRecordIsRebuilt() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(live))) {
            writeHistory(store);
            crashImage();
        }
        Path idx = crashed.resolve("index/t/0/00000000000000000000.idx");
        byte[] bytes = Files.readAllBytes(idx);
        System.arraycopy(bytes, 0, bytes, IndexFile.ENTRY_SIZE, IndexFile.ENTRY_SIZE); // entry 1 := entry 0
        Files.write(idx, bytes);
        try (MessageStore store = MessageStore.open(smallConfig(crashed))) {
            assertThat(bodies(store, "t", 0)).startsWith("a", "b", "c");
        }
    }

    @Test
    void logShorterThanTheCheckpointFailsLoudly() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(live))) {
            writeHistory(store);
            store.persist(store.captureCheckpoint());
            crashImage();
        }
        try (RandomAccessFile f = new RandomAccessFile(lastSegment().toFile(), "rw")) {
            f.setLength(f.length() - 10);
        }
        assertThatThrownBy(() -> MessageStore.open(smallConfig(crashed))).isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("outside the log");
    }

    @Test
    void cleanCloseRecoversWithoutReplay() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(live))) {
            writeHistory(store);
        }
        Checkpoint c = CheckpointCodec.read(live.resolve("checkpoint"));
        assertThat(c.raftIndex()).isEqualTo(7);
        try (MessageStore store = MessageStore.open(smallConfig(live))) {
            assertThat(store.logEndPosition()).isEqualTo(c.logPosition());
            assertThat(bodies(store, "t", 0)).hasSize(9);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found: " + List.of(needle));
    }
}
