package io.dledger.broker.raft.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SegmentLogStorageTest {
    private static final long SMALL_SEGMENT = 4096;

    @TempDir
    Path dir;
    private final List<SegmentLogStorage> opened = new ArrayList<>();
    private ConfigurationManager confManager;

    @AfterEach
    void closeAll() {
        opened.forEach(SegmentLogStorage::shutdown);
    }

    private SegmentLogStorage open() {
        SegmentLogStorage s = new SegmentLogStorage(dir, true, SMALL_SEGMENT);
        confManager = new ConfigurationManager();
        LogStorageOptions opts = new LogStorageOptions();
        opts.setConfigurationManager(confManager);
        opts.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
        assertThat(s.init(opts)).isTrue();
        opened.add(s);
        return s;
    }

    private SegmentLogStorage reopen(SegmentLogStorage s) {
        s.shutdown();
        opened.remove(s);
        return open();
    }

    private static LogEntry data(long index, long term, String body) {
        LogEntry e = new LogEntry(EntryType.ENTRY_TYPE_DATA);
        e.setId(new LogId(index, term));
        e.setData(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
        return e;
    }

    private static LogEntry conf(long index, long term, String... peers) {
        LogEntry e = new LogEntry(EntryType.ENTRY_TYPE_CONFIGURATION);
        e.setId(new LogId(index, term));
        List<PeerId> list = new ArrayList<>();
        for (String p : peers) {
            list.add(PeerId.parsePeer(p));
        }
        e.setPeers(list);
        return e;
    }

    private static List<LogEntry> range(long from, long to, long term, String tag) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(data(i, term, tag + "-" + i + "-" + "x".repeat((int) (i % 300))));
        }
        return list;
    }

    private static String body(LogEntry e) {
        ByteBuffer b = e.getData().duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private long segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(RaftLogSegment.SUFFIX)).count();
        }
    }

    @Test
    void entriesSurviveARestartAcrossManySegmentsWithTheirConfigurations() throws IOException {
        SegmentLogStorage s = open();
        assertThat(s.getFirstLogIndex()).isEqualTo(1);
        assertThat(s.getLastLogIndex()).isZero();
        assertThat(s.appendEntry(conf(1, 1, "127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"))).isTrue();
        assertThat(s.appendEntries(range(2, 200, 1, "a"))).isEqualTo(199);
        assertThat(segmentFiles()).isGreaterThan(3);
        assertThat(body(s.getEntry(150))).startsWith("a-150-");

        s = reopen(s);
        assertThat(s.getFirstLogIndex()).isEqualTo(1);
        assertThat(s.getLastLogIndex()).isEqualTo(200);
        for (long i = 2; i <= 200; i++) {
            assertThat(body(s.getEntry(i))).isEqualTo("a-" + i + "-" + "x".repeat((int) (i % 300)));
            assertThat(s.getTerm(i)).isEqualTo(1);
        }
        assertThat(s.getEntry(201)).isNull();
        assertThat(confManager.getLastConfiguration().getConf().getPeers()).hasSize(3);
    }

    @Test
    void anAppendThatIsNotTheNextIndexIsRefused() {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 5, 1, "a"));
        assertThat(s.appendEntries(range(7, 8, 1, "b"))).isZero();
        assertThat(s.getLastLogIndex()).isEqualTo(5);
    }

    @Test
    void truncatedSuffixStaysGoneAfterARestartEvenWhenNewEntriesHaveTheSameSizes() {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 100, 1, "a"));
        assertThat(s.truncateSuffix(60)).isTrue();
        assertThat(s.getLastLogIndex()).isEqualTo(60);
        assertThat(s.getEntry(61)).isNull();
        // same sizes as the truncated ones: a stale record must never be read back as entry 71
        s.appendEntries(range(61, 70, 2, "b"));

        s = reopen(s);
        assertThat(s.getLastLogIndex()).isEqualTo(70);
        assertThat(body(s.getEntry(61))).startsWith("b-61-");
        assertThat(s.getTerm(70)).isEqualTo(2);
        assertThat(s.getEntry(71)).isNull();
        s.appendEntries(range(71, 72, 2, "c"));
        assertThat(body(s.getEntry(72))).startsWith("c-72-");
    }

    @Test
    void truncatePrefixDropsWholeSegmentsAndPersistsTheFirstIndex() throws IOException {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 200, 1, "a"));
        long before = segmentFiles();
        assertThat(s.truncatePrefix(120)).isTrue();
        assertThat(segmentFiles()).isLessThan(before);
        assertThat(s.getFirstLogIndex()).isEqualTo(120);
        assertThat(s.getEntry(119)).isNull();
        assertThat(body(s.getEntry(120))).startsWith("a-120-");

        s = reopen(s);
        assertThat(s.getFirstLogIndex()).isEqualTo(120);
        assertThat(s.getLastLogIndex()).isEqualTo(200);
        assertThat(s.getEntry(119)).isNull();
    }

    @Test
    void segmentsDroppedByAPrefixTruncationBecomeNewSegmentsAndTheirOldRecordsNeverComeBack() throws IOException {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 200, 1, "a"));
        assertThat(s.truncatePrefix(150)).isTrue();
        long kept = recycledFiles();
        assertThat(kept).as("kept, never more than the live segments").isPositive().isLessThanOrEqualTo(segmentFiles());

        // one entry at a time until a roll takes a kept file (prepared meanwhile)
        AtomicLong next = new AtomicLong(201);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            long i = next.getAndIncrement();
            assertThat(s.appendEntries(range(i, i, 2, "b"))).isEqualTo(1);
            assertThat(recycledFiles()).isLessThan(kept);
        });
        long last = next.get() - 1;
        Path reused = newestSegment();
        assertThat(recordPositions(reused)).as("the new segment holds the one entry that rolled").hasSize(1);
        byte[] bytes = Files.readAllBytes(reused);
        int dataEnd = SegmentRecordCodec.recordBytes(Math.toIntExact(recordLength(reused)));
        assertThat(Arrays.copyOfRange(bytes, dataEnd, dataEnd + SegmentRecordCodec.END_MARK_BYTES)).containsOnly(0);
        assertThat(nonZeroBytesFrom(bytes, dataEnd)).as("the file's old records are still there").isPositive();

        SegmentLogStorage again = reopen(s);
        assertThat(again.getFirstLogIndex()).isEqualTo(150);
        assertThat(again.getLastLogIndex()).isEqualTo(last);
        assertThat(nonZeroBytesFrom(Files.readAllBytes(reused), dataEnd)).as("cleared on load").isZero();
        again.appendEntries(range(last + 1, last + 100, 2, "c")); // rolls on: the reused segment is an older one now
        again = reopen(again);
        assertThat(again.getLastLogIndex()).isEqualTo(last + 100);
        for (long i = 150; i <= last + 100; i++) {
            assertThat(body(again.getEntry(i))).startsWith((i <= 200 ? "a-" : i <= last ? "b-" : "c-") + i + "-");
        }
    }

    @Test
    void aDroppedSegmentBroughtBackEmptiedByAPowerLossIsNoHole() throws IOException {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 200, 1, "a"));
        Path oldest = RaftLogSegment.fileName(dir, 1);
        assertThat(s.truncatePrefix(150)).isTrue();
        s.shutdown();
        opened.remove(s);
        Path kept;
        try (Stream<Path> files = Files.list(dir)) {
            kept = files.filter(p -> p.getFileName().toString().startsWith(RecycledSegments.PREFIX)).sorted()
                    .findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(kept.toFile(), "rw")) {
            f.writeInt(0); // its preparation's end mark reached the disk, the rename did not
        }
        Files.move(kept, oldest);

        s = open();
        assertThat(s.getFirstLogIndex()).isEqualTo(150);
        assertThat(s.getLastLogIndex()).isEqualTo(200);
        assertThat(Files.exists(oldest)).as("below the first index: deleted").isFalse();
    }

    @Test
    void withoutSyncOrWhenEveryEntryIsDroppedNoFileIsKept() throws IOException {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 200, 1, "a"));
        assertThat(s.truncatePrefix(150)).isTrue();
        assertThat(recycledFiles()).isPositive();
        assertThat(s.truncatePrefix(1000)).isTrue();
        assertThat(recycledFiles()).as("no more than the live segments: none").isZero();
        s.shutdown();
        opened.remove(s);

        SegmentLogStorage unsynced = new SegmentLogStorage(dir.resolve("unsynced"), false, SMALL_SEGMENT);
        LogStorageOptions opts = new LogStorageOptions();
        opts.setConfigurationManager(new ConfigurationManager());
        opts.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
        assertThat(unsynced.init(opts)).isTrue();
        opened.add(unsynced);
        unsynced.appendEntries(range(1, 200, 1, "a"));
        assertThat(unsynced.truncatePrefix(150)).isTrue();
        try (Stream<Path> files = Files.list(dir.resolve("unsynced"))) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith(RecycledSegments.PREFIX))).isEmpty();
        }
    }

    private long recycledFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(RecycledSegments.PREFIX)).count();
        }
    }

    private static int recordLength(Path segment) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "r")) {
            return f.readInt();
        }
    }

    private static long nonZeroBytesFrom(byte[] bytes, int from) {
        long n = 0;
        for (int i = from; i < bytes.length; i++) {
            n += bytes[i] == 0 ? 0 : 1;
        }
        return n;
    }

    @Test
    void truncatePrefixBeyondTheEndLeavesAnEmptyLogThatContinuesThere() throws IOException {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 50, 1, "a"));
        assertThat(s.truncatePrefix(500)).isTrue();
        assertThat(s.getFirstLogIndex()).isEqualTo(500);
        assertThat(s.getLastLogIndex()).isEqualTo(499);
        assertThat(segmentFiles()).isZero();

        s = reopen(s);
        assertThat(s.getFirstLogIndex()).isEqualTo(500);
        assertThat(s.getLastLogIndex()).isEqualTo(499);
        assertThat(s.appendEntries(range(500, 510, 3, "b"))).isEqualTo(11);
        s = reopen(s);
        assertThat(body(s.getEntry(505))).startsWith("b-505-");
    }

    @Test
    void resetEmptiesTheLogAndMovesItsStart() {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 50, 1, "a"));
        assertThat(s.reset(1000)).isTrue();
        assertThat(s.getFirstLogIndex()).isEqualTo(1000);
        assertThat(s.getLastLogIndex()).isEqualTo(999);
        assertThat(s.getEntry(10)).isNull();
        s.appendEntries(range(1000, 1003, 4, "r"));

        s = reopen(s);
        assertThat(s.getFirstLogIndex()).isEqualTo(1000);
        assertThat(s.getLastLogIndex()).isEqualTo(1003);
        assertThat(s.getTerm(1003)).isEqualTo(4);
    }

    @Test
    void aTornWriteAtTheEndIsCutAndTheLogContinues() throws IOException {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 30, 1, "a"));
        long last = s.getLastLogIndex();
        s.shutdown();
        opened.remove(s);
        Path newest = newestSegment();
        List<Long> positions = recordPositions(newest);
        damagePayload(newest, positions.get(positions.size() - 1));

        s = open();
        assertThat(s.getLastLogIndex()).isEqualTo(last - 1);
        assertThat(s.appendEntries(range(last, last + 3, 2, "n"))).isEqualTo(4);
        s = reopen(s);
        assertThat(s.getLastLogIndex()).isEqualTo(last + 3);
        assertThat(body(s.getEntry(last))).startsWith("n-" + last + "-");
    }

    @Test
    void damageInAnOlderSegmentFailsTheLoad() throws IOException {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 200, 1, "a"));
        s.shutdown();
        opened.remove(s);
        Path oldest;
        try (Stream<Path> files = Files.list(dir)) {
            oldest = files.filter(p -> p.toString().endsWith(RaftLogSegment.SUFFIX)).sorted().findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(oldest.toFile(), "rw")) {
            f.seek(SegmentRecordCodec.HEADER_BYTES + 1);
            f.write(0x5A ^ f.readByte());
        }
        assertLoadIsRefusedWithoutChanging(oldest);
    }

    @Test
    void theFirstRecordOfEachWriteIsFlaggedAsWrittenAfterASync() throws IOException {
        assertThat(flaggedIndexes(threeWritesInOneSegment())).containsExactly(1L, 6L, 11L);
    }

    @Test
    void damageBeforeALaterSyncedWriteInTheNewestSegmentFailsTheLoad() throws IOException {
        Path newest = threeWritesInOneSegment();
        damagePayload(newest, recordPositions(newest).get(2)); // index 3: synced before 6 and 11 were written
        assertLoadIsRefusedWithoutChanging(newest);
    }

    @Test
    void aTornWriteOfSeveralRecordsIsCutFromItsFirstBadRecord() throws IOException {
        Path newest = threeWritesInOneSegment();
        damagePayload(newest, recordPositions(newest).get(10)); // index 11, first of the last write; 12 is whole

        SegmentLogStorage s = open();
        assertThat(s.getLastLogIndex()).isEqualTo(10);
        assertThat(s.appendEntries(range(11, 12, 2, "n"))).isEqualTo(2);
        s = reopen(s);
        assertThat(s.getLastLogIndex()).isEqualTo(12);
        assertThat(body(s.getEntry(12))).startsWith("n-12-");
    }

    @Test
    void aTruncationCutShortAfterItsFirstStepLoadsUpToTheCut() throws IOException {
        Path newest = threeWritesInOneSegment();
        SegmentLogStorage s;
        long cut = recordPositions(newest).get(5); // index 6; whole, flagged records follow it
        try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
            f.seek(cut + SegmentRecordCodec.LENGTH_POS);
            f.writeInt(0); // what truncateAfter syncs before it zeroes the rest
        }

        s = open();
        assertThat(s.getLastLogIndex()).isEqualTo(5);
        assertThat(recordPositions(newest)).hasSize(5);
        try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "r")) {
            byte[] rest = new byte[4096];
            f.seek(cut);
            f.readFully(rest, 0, (int) Math.min(rest.length, f.length() - cut));
            assertThat(rest).as("the dropped records are zeroed on load").containsOnly(0);
        }
    }

    @Test
    void withoutSyncNoRecordClaimsToFollowASync() throws IOException {
        SegmentLogStorage s = new SegmentLogStorage(dir, false, SMALL_SEGMENT);
        LogStorageOptions opts = new LogStorageOptions();
        opts.setConfigurationManager(new ConfigurationManager());
        opts.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
        assertThat(s.init(opts)).isTrue();
        s.appendEntries(range(1, 3, 1, "a"));
        s.appendEntries(range(4, 5, 1, "a"));
        s.shutdown();
        assertThat(flaggedIndexes(newestSegment())).isEmpty();
    }

    /** Entries 1-5, 6-10 and 11-12 as three writes (6 and 11 flagged), the log closed; returns its one segment. */
    private Path threeWritesInOneSegment() throws IOException {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 5, 1, "a"));
        s.appendEntries(range(6, 10, 1, "a"));
        s.appendEntries(range(11, 12, 1, "a"));
        s.shutdown();
        opened.remove(s);
        assertThat(segmentFiles()).isEqualTo(1);
        return newestSegment();
    }

    /** The Raft indexes of the records flagged "after sync" in {@code segment} (which starts at index 1). */
    private static List<Long> flaggedIndexes(Path segment) throws IOException {
        List<Long> flagged = new ArrayList<>();
        List<Long> positions = recordPositions(segment);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "r")) {
            for (int i = 0; i < positions.size(); i++) {
                f.seek(positions.get(i) + SegmentRecordCodec.FLAGS_POS);
                if ((f.readInt() & SegmentRecordCodec.FLAG_AFTER_SYNC) != 0) {
                    flagged.add(i + 1L);
                }
            }
        }
        return flagged;
    }

    private void assertLoadIsRefusedWithoutChanging(Path damagedFile) throws IOException {
        byte[] before = Files.readAllBytes(damagedFile);
        SegmentLogStorage damaged = new SegmentLogStorage(dir, true, SMALL_SEGMENT);
        LogStorageOptions opts = new LogStorageOptions();
        opts.setConfigurationManager(new ConfigurationManager());
        opts.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
        assertThat(damaged.init(opts)).isFalse();
        damaged.shutdown();
        assertThat(Files.readAllBytes(damagedFile)).as("a refused load changes nothing").isEqualTo(before);
    }

    private static void damagePayload(Path file, long recordPosition) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(recordPosition + SegmentRecordCodec.HEADER_BYTES + 2);
            f.write(0x5A ^ f.readByte());
        }
    }

    @Test
    void bytesLeftFarAfterTheEndOfTheNewestSegmentAreZeroedOnLoad() throws IOException {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 3, 1, "a"));
        s.shutdown();
        opened.remove(s);
        Path newest = newestSegment();
        long far = Files.size(newest) - 64;
        try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
            f.seek(far);
            f.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        s = open();
        assertThat(s.getLastLogIndex()).isEqualTo(3);
        try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "r")) {
            byte[] back = new byte[8];
            f.seek(far);
            f.readFully(back);
            assertThat(back).containsOnly(0);
        }
    }

    @Test
    void readersSeeWholeEntriesWhileTheWriterAppendsAndRolls() throws Exception {
        SegmentLogStorage s = open();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Thread t = new Thread(() -> {
                java.util.Random random = new java.util.Random();
                while (!done.get() && failure.get() == null) {
                    long last = s.getLastLogIndex();
                    if (last < 1) {
                        continue;
                    }
                    long i = 1 + random.nextInt((int) last);
                    try {
                        assertThat(body(s.getEntry(i))).isEqualTo("w-" + i + "-" + "x".repeat((int) (i % 300)));
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                }
            });
            t.start();
            readers.add(t);
        }
        for (long i = 1; i <= 2000; i += 7) {
            assertThat(s.appendEntries(range(i, i + 6, 1, "w"))).isEqualTo(7);
        }
        done.set(true);
        for (Thread t : readers) {
            t.join();
        }
        assertThat(failure.get()).isNull();
        assertThat(segmentFiles()).isGreaterThan(10);
    }

    @Test
    void appendsAfterShutdownAreRefused() {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 3, 1, "a"));
        s.shutdown();
        opened.remove(s);
        assertThat(s.appendEntries(range(4, 5, 1, "a"))).isZero();
        assertThat(s.getEntry(2)).isNull();
    }

    @Test
    void theNewestEntriesAreReadBackFromMemoryAndOlderOnesFromTheFile() throws IOException {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 200, 1, "a"));
        long old = 200 - RecentEntries.SLOTS - 10; // no longer kept in memory
        damagePayloadOf(old);
        damagePayloadOf(200);

        assertThat(s.getEntry(old)).as("read from its file, which fails its CRC").isNull();
        assertThat(body(s.getEntry(200))).isEqualTo("a-200-" + "x".repeat(200));
        assertThat(s.getEntry(200).getId().getTerm()).isEqualTo(1);
    }

    @Test
    void entriesTruncatedOrResetAwayAreNotReadBackFromMemory() {
        SegmentLogStorage s = open();
        s.appendEntries(range(1, 10, 1, "a"));
        assertThat(s.truncateSuffix(5)).isTrue();
        assertThat(s.getEntry(6)).isNull();
        s.appendEntries(range(6, 8, 2, "b"));

        assertThat(body(s.getEntry(6))).startsWith("b-6-");
        assertThat(s.getEntry(6).getId().getTerm()).isEqualTo(2);
        assertThat(body(s.getEntry(5))).startsWith("a-5-");
        assertThat(s.getEntry(9)).isNull();

        assertThat(s.reset(300)).isTrue();
        s.appendEntries(range(300, 301, 3, "c"));
        assertThat(s.getEntry(7)).isNull();
        assertThat(body(s.getEntry(300))).startsWith("c-300-");
    }

    /** Flips a payload byte of entry {@code index} in its segment file. */
    private void damagePayloadOf(long index) throws IOException {
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.filter(p -> p.toString().endsWith(RaftLogSegment.SUFFIX))
                    .filter(p -> RaftLogSegment.baseIndexOf(p) <= index)
                    .max(java.util.Comparator.comparingLong(RaftLogSegment::baseIndexOf)).orElseThrow();
        }
        damagePayload(file, recordPositions(file).get((int) (index - RaftLogSegment.baseIndexOf(file))));
    }

    private Path newestSegment() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(RaftLogSegment.SUFFIX)).sorted()
                    .reduce((a, b) -> b).orElseThrow();
        }
    }

    private static List<Long> recordPositions(Path file) throws IOException {
        List<Long> positions = new ArrayList<>();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long pos = 0;
            while (pos + SegmentRecordCodec.HEADER_BYTES <= f.length()) {
                f.seek(pos);
                int length = f.readInt();
                if (length == 0) {
                    break;
                }
                positions.add(pos);
                pos += SegmentRecordCodec.recordBytes(length);
            }
        }
        return positions;
    }
}
