package io.dledger.broker.store;

import static io.dledger.broker.store.StoreFixtures.apply;
import static io.dledger.broker.store.StoreFixtures.createTopic;
import static io.dledger.broker.store.StoreFixtures.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class QueueReaderTest {
    @TempDir
    Path dir;

    /**
     * A segment file cut from outside while a pull maps it (what a disk error on a mapped page looks like to the
     * JVM: a SIGBUS) fails only the pulls of records that are gone; the process lives on, the segment is read with
     * positional reads from then on, and the other segments still read. The cut falls inside a record whose header
     * stays readable, so a CRC check run on the mapped bytes themselves would fault inside HotSpot's CRC32C stub and
     * crash the JVM here, failing the build. Linux only: other systems refuse to cut a mapped file, or map in pages
     * larger than these segments.
     *
     * <p>Run twice: at once (the reads are interpreted, and the JVM reports a fault at once), and after 60,000 reads
     * of the segment, when the read path is most likely compiled (on an idle machine, C2 had compiled
     * {@code QueueReader.read}, with the copy inlined, in a run with {@code -XX:+LogCompilation}; C2 compiles in the
     * background, so a loaded machine may not be there yet) and the JVM may report a fault only at the next
     * safepoint poll, after the copy went on with zeros: the outcome must be the same.
     */
    @ParameterizedTest(name = "after {0} warm-up reads")
    @ValueSource(ints = {0, 60_000})
    @EnabledOnOs(OS.LINUX)
    void aSegmentCutFromOutsideWhileMappedFailsThePullNotTheProcess(int warmupReads) throws Exception {
        long page = pageSize();
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir).segmentBytes(4 * page)
                .indexEntriesPerFile(16).build())) {
            createTopic(store, 1, "t", 1);
            SegmentedLog log = store.data().log();
            for (int i = 0; log.segments().size() <= 2; i++) {
                apply(store, 2 + i, produce("t", 0, 0, 0, "m" + i + "-" + "x".repeat(200)));
            }
            assertThat(store.read("t", 0, 0, 0, 1, Long.MAX_VALUE).records()).hasSize(1);
            assertThat(store.pullReads().mappedBytes()).as("the first, sealed segment is mapped").isPositive();
            long across = 0; // the first record across a page boundary with its whole header before it
            while (!(recordStart(store, across) + RecordCodec.HEADER_SIZE <= nextPage(store, across, page)
                    && nextPage(store, across, page) < recordEnd(store, across))) {
                across++;
            }
            long cut = nextPage(store, across, page);
            assertThat(recordEnd(store, across)).as("inside the first segment").isLessThanOrEqualTo(4 * page);
            for (int i = 0; i < warmupReads; i++) {
                assertThat(store.read("t", 0, 0, i % (across + 1), 2, Long.MAX_VALUE).records()).isNotEmpty();
            }
            Path first;
            try (Stream<Path> files = Files.walk(dir)) {
                first = files.filter(LogSegment::isSegmentFile).sorted().findFirst().orElseThrow();
            }
            try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            long gone = across;
            assertThatThrownBy(() -> store.read("t", 0, 0, gone, 1, Long.MAX_VALUE))
                    .isInstanceOf(CorruptStoreException.class);
            assertThat(log.view(0, 1)).as("the segment is read with positional reads from now on").isNull();
            assertThat(store.read("t", 0, 0, 0, 1, Long.MAX_VALUE).records()).hasSize(1); // before the cut
            long later = store.data().topics().get("t").queue(0).nextOffset() - 5;
            assertThat(store.read("t", 0, 0, later, 5, Long.MAX_VALUE).records()).hasSize(5);
        }
    }

    private static ByteBuffer indexEntry(MessageStore store, long offset) {
        return store.data().topics().get("t").queue(0).read(offset, 1);
    }

    private static long recordStart(MessageStore store, long offset) {
        return indexEntry(store, offset).getLong();
    }

    private static long recordEnd(MessageStore store, long offset) {
        ByteBuffer entry = indexEntry(store, offset);
        return entry.getLong() + entry.getInt();
    }

    /** The first page boundary after the start of {@code t/0@offset}'s record. */
    private static long nextPage(MessageStore store, long offset, long page) {
        return (recordStart(store, offset) / page + 1) * page;
    }

    private static long pageSize() throws ReflectiveOperationException {
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        return ((sun.misc.Unsafe) f.get(null)).pageSize();
    }

    /**
     * A read whose data went while it ran (retention removed its segment, the topic was deleted or created again) is
     * refused as a read starting now would be; a failure of data still there stays the store's.
     */
    @Test
    void aReadOvertakenByRetentionOrADeletionIsRefusedAsItWouldBeNow() throws Exception {
        try (MessageStore store = MessageStore.open(StoreFixtures.smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            for (int i = 0; i < 200; i++) {
                apply(store, 2 + i, produce("t", 0, 0, 0, "m" + i + "-" + "x".repeat(100)));
            }
            TopicQueues t = store.data().topics().get("t");
            RuntimeException failure = new StoreException("no index file for offset 0");
            long min = StoreFixtures.retainFromSegment(store, 500, 3);
            assertThat(min).isPositive();
            assertThatThrownBy(() -> QueueReader.refusedIfMovedUnder(store.data(), t, 0, min - 1, failure))
                    .isInstanceOfSatisfying(ReadRejectedException.class, e -> {
                        assertThat(e.reason()).isEqualTo(ReadRejectedException.Reason.OFFSET_OUT_OF_RANGE);
                        assertThat(e.getMessage()).contains("removed by retention during the read");
                    });
            assertThat(QueueReader.refusedIfMovedUnder(store.data(), t, 0, min, failure)).isSameAs(failure);

            EntryWriter w = store.writer();
            w.begin(501, 5_001);
            w.deleteTopic("t");
            w.commit();
            assertThatThrownBy(() -> QueueReader.refusedIfMovedUnder(store.data(), t, 0, min, failure))
                    .isInstanceOfSatisfying(ReadRejectedException.class, e -> assertThat(e.reason())
                            .isEqualTo(ReadRejectedException.Reason.TOPIC_NOT_FOUND));
            createTopic(store, 502, "t", 1);
            assertThatThrownBy(() -> QueueReader.refusedIfMovedUnder(store.data(), t, 0, min, failure))
                    .isInstanceOfSatisfying(ReadRejectedException.class, e -> assertThat(e.reason())
                            .isEqualTo(ReadRejectedException.Reason.TOPIC_REPLACED));
        }
    }

    /**
     * An index entry whose record size is impossible, or is not the size of the record it points at (the index has
     * no CRC), fails the read as a damaged store, through the mapping and with positional reads alike.
     */
    @Test
    void anIndexEntryWithAWrongRecordSizeFailsTheReadAsCorrupt() throws Exception {
        try (MessageStore store = MessageStore.open(StoreFixtures.smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            for (int i = 0; i < 10; i++) {
                apply(store, 2 + i, produce("t", 0, 0, 0, "m" + i));
            }
            int size5 = (int) (recordEnd(store, 5) - recordStart(store, 5));
            Path index;
            try (Stream<Path> files = Files.walk(dir)) {
                index = files.filter(p -> p.toString().endsWith(IndexFile.SUFFIX)).sorted().findFirst().orElseThrow();
            }
            try (FileChannel ch = FileChannel.open(index, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(4).putInt(0, -10), 3L * IndexFile.ENTRY_SIZE + 8); // offset 3's size
                ch.write(ByteBuffer.allocate(4).putInt(0, size5 - 1), 5L * IndexFile.ENTRY_SIZE + 8);
            }
            PullReads reads = new PullReads();
            for (long mapped : new long[] {Long.MAX_VALUE, 0}) { // through the mapping, and positional reads
                assertThatThrownBy(() -> QueueReader.read(store.data(), "t", 0, 0, 2, 2, Long.MAX_VALUE, mapped, reads))
                        .isInstanceOf(CorruptStoreException.class).hasMessageContaining("record size -10");
                assertThatThrownBy(() -> QueueReader.read(store.data(), "t", 0, 0, 4, 3, Long.MAX_VALUE, mapped, reads))
                        .as("a record in the middle of a run").isInstanceOf(CorruptStoreException.class);
                assertThat(QueueReader.read(store.data(), "t", 0, 0, 0, 3, Long.MAX_VALUE, mapped, reads).records())
                        .hasSize(3);
                assertThat(QueueReader.read(store.data(), "t", 0, 0, 6, 4, Long.MAX_VALUE, mapped, reads).records())
                        .hasSize(4);
            }
        }
    }

    /**
     * Reads count the log bytes they took by path, each run once: through the mappings (the records copied), or
     * positionally when told to (the runs read; one queue's records are adjacent here, so the same bytes).
     */
    @Test
    void readsCountTheBytesTheyTookThroughMappingsAndPositionally() throws Exception {
        long written = 0;
        try (MessageStore store = MessageStore.open(StoreFixtures.smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            for (int i = 0; i < 40; i++) {
                apply(store, 2 + i, produce("t", 0, 0, 0, "m" + i + "-" + "z".repeat(100)));
                written += recordEnd(store, i) - recordStart(store, i);
            }
            assertThat(StoreFixtures.bodies(store, "t", 0)).hasSize(40);
            PullReads reads = store.pullReads();
            assertThat(reads.mappedBytes()).isPositive();
            assertThat(reads.mappedBytes() + reads.positionalBytes()).isEqualTo(written);
        }
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir).segmentBytes(8 * 1024)
                .indexEntriesPerFile(16).mappedReadBytes(0).build())) {
            assertThat(StoreFixtures.bodies(store, "t", 0)).hasSize(40);
            assertThat(store.pullReads().mappedBytes()).isZero();
            assertThat(store.pullReads().positionalBytes()).isEqualTo(written);
        }
    }
}
