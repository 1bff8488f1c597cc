package io.dledger.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Reads of the message log through segments' memory mappings, and when they fall back to positional reads. */
@Timeout(20)
class SegmentedLogTest {
    private static final int SEGMENT_BYTES = 4 * LogSegment.REMAP_BYTES;

    @TempDir
    Path dir;
    private SegmentedLog log;

    @BeforeEach
    void open() {
        log = SegmentedLog.open(dir, SEGMENT_BYTES);
    }

    @AfterEach
    void close() {
        log.close();
    }

    /** Appends {@code n} bytes counting up from {@code first} (mod 256); returns the position of the first. */
    private long append(int n, int first) {
        ByteBuffer b = ByteBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (first + i));
        }
        return log.append(b.flip());
    }

    /** A cut into the first segment deletes the later ones and leaves a log that opens and appends again. */
    @Test
    void truncatingIntoAnEarlierSegmentDeletesTheLaterOnesAndTheLogOpensAgain() throws IOException {
        append(SEGMENT_BYTES - 100, 0);
        append(SEGMENT_BYTES - 100, 1); // a second segment
        append(SEGMENT_BYTES - 100, 2); // a third
        assertThat(log.segments()).hasSize(3);
        log.truncate(1000);
        assertThat(log.segments()).hasSize(1);
        assertThat(log.endPosition()).isEqualTo(1000);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.count()).as("files left in %s", dir).isEqualTo(1);
        }
        log.close();
        log = SegmentedLog.open(dir, SEGMENT_BYTES);
        assertThat(log.endPosition()).isEqualTo(1000);
        assertThat(append(10, 5)).isEqualTo(1000);
        assertThatThrownBy(() -> log.truncate(-1)).isInstanceOf(StoreException.class);
    }

    @Test
    void aViewHoldsTheSameBytesAsARead() {
        append(1000, 0);
        long at = append(5000, 7);
        try (MappedView v = log.view(at + 10, 4000)) {
            assertThat(v).isNotNull();
            assertThat(ByteBuffer.wrap(v.copy(0, 4000))).isEqualTo(log.read(at + 10, 4000));
        }
    }

    @Test
    void theActiveSegmentIsMappedAgainOnlyOnceItGrewEnough() {
        append(1000, 0);
        try (MappedView v = log.view(0, 1000)) {
            assertThat(v).isNotNull(); // the first read maps the segment as it is
        }
        long small = append(100, 1);
        assertThat(log.view(small, 100)).as("grown by less than REMAP_BYTES: read instead").isNull();
        assertThat(log.read(small, 100).get(0)).isEqualTo((byte) 1);
        long big = append(LogSegment.REMAP_BYTES, 3);
        try (MappedView v = log.view(big, LogSegment.REMAP_BYTES)) {
            assertThat(v).isNotNull();
            assertThat(v.copy(0, 1)[0]).isEqualTo((byte) 3);
        }
    }

    @Test
    void aSealedSegmentIsMappedToItsEndAndAViewNeverSpansTwoSegments() {
        append(1000, 0);
        try (MappedView v = log.view(0, 10)) {
            assertThat(v).isNotNull();
        }
        long tail = append(SEGMENT_BYTES - 2000, 5); // still the first segment, grown by more than REMAP_BYTES...
        long next = append(5000, 9); // ...and sealed: this one does not fit
        assertThat(log.segments()).hasSize(2);
        try (MappedView v = log.view(tail + 10, SEGMENT_BYTES - 2010)) {
            assertThat(v).isNotNull();
            assertThat(v.copy(0, 1)[0]).isEqualTo((byte) 15);
        }
        assertThat(log.view(next - 10, 20)).as("across the boundary: read instead").isNull();
        assertThat(log.read(next - 10, 20).get(10)).isEqualTo((byte) 9);
    }

    @Test
    void aHeldViewStaysReadableAfterItsSegmentIsDeletedAndIsUnmappedWhenReleased() {
        append(1000, 0);
        append(SEGMENT_BYTES, 0); // a segment of its own; the first is sealed
        MappedView v = log.view(0, 1000);
        assertThat(v).isNotNull();
        log.deleteBefore(1000); // retention deletes the first segment while a pull still reads it
        assertThat(v.copy(999, 1)[0]).isEqualTo((byte) 999);
        v.close();
        assertThat(v.mapping().acquire()).as("unmapped: the last holder is gone").isFalse();
    }

    @Test
    void mappingTheActiveSegmentNeverGrowsItsFile() throws IOException {
        append(3000, 0);
        try (MappedView v = log.view(0, 3000)) {
            assertThat(v).isNotNull();
        }
        assertThat(Files.size(log.segments().get(0).file())).isEqualTo(3000);
        assertThat(log.endPosition()).isEqualTo(3000);
    }

    @Test
    void aReplacedMappingIsUnmappedWhenItsLastReaderIsDone() {
        append(1000, 0);
        MappedView first = log.view(0, 1000);
        long more = append(LogSegment.REMAP_BYTES, 4);
        try (MappedView longer = log.view(more, 100)) { // maps the segment again, longer
            assertThat(longer.mapping()).isNotSameAs(first.mapping());
            assertThat(first.copy(5, 1)[0]).isEqualTo((byte) 5); // the reader of the old one reads on
            first.close();
            assertThat(first.mapping().acquire()).isFalse();
            assertThat(longer.copy(0, 1)[0]).isEqualTo((byte) 4);
        }
    }

    /**
     * Readers on three threads read random ranges, through mappings or positional reads, while the writer appends,
     * rolls segments (remapping them) and deletes old ones: every byte read is the byte written there, and no read
     * touches a mapping that was unmapped under it. A regression there crashes the test's JVM (the build reports a
     * forked VM that terminated) rather than failing an assertion.
     */
    @Test
    void concurrentReadersSeeTheWrittenBytesWhileTheWriterAppendsRollsAndDeletes() throws Exception {
        log.close();
        log = SegmentedLog.open(dir, 2L * LogSegment.REMAP_BYTES);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong mappedReads = new AtomicLong();
        ExecutorService readers = Executors.newFixedThreadPool(3);
        List<Future<?>> results = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            long seed = r;
            results.add(readers.submit(() -> {
                Random random = new Random(seed);
                while (!done.get()) {
                    long from = log.startPosition();
                    long to = log.endPosition();
                    if (to - from < 2) {
                        continue;
                    }
                    long at = from + (long) (random.nextDouble() * (to - from - 1));
                    int len = (int) Math.min(to - at, 1 + random.nextInt(64 * 1024));
                    try (MappedView v = log.view(at, len)) {
                        ByteBuffer b;
                        try {
                            b = v != null ? ByteBuffer.wrap(v.copy(0, len)) : log.read(at, len);
                        } catch (StoreException deleted) { // retention removed the range meanwhile
                            continue;
                        }
                        if (v != null) {
                            mappedReads.incrementAndGet();
                        }
                        for (int i = 0; i < b.remaining(); i++) {
                            if (b.get(b.position() + i) != (byte) (at + i)) {
                                throw new AssertionError("byte at " + (at + i) + " is " + b.get(b.position() + i));
                            }
                        }
                    }
                }
                return null;
            }));
        }
        try {
            writeAndDelete();
        } finally {
            done.set(true);
            readers.shutdown();
        }
        for (Future<?> f : results) {
            f.get();
        }
        assertThat(log.segments().size()).isGreaterThan(1);
        assertThat(mappedReads.get()).isPositive();
    }

    /** 1,500 appends of 1 B to 32 KiB (the byte at global position p is (byte) p), old segments deleted. */
    private void writeAndDelete() {
        Random sizes = new Random(42);
        for (int n = 0; n < 1500; n++) {
            int size = 1 + sizes.nextInt(32 * 1024);
            ByteBuffer b = ByteBuffer.allocate(size);
            long at = log.endPosition();
            for (int i = 0; i < size; i++) {
                b.put((byte) (at + i)); // the byte at global position p is (byte) p
            }
            log.append(b.flip());
            if (n % 100 == 99) {
                log.deleteBefore(log.endPosition() - 3L * LogSegment.REMAP_BYTES);
            }
        }
    }

    @Test
    void aViewClosedTwiceReleasesOnce() {
        append(1000, 0);
        MappedView v = log.view(0, 100);
        v.close();
        v.close();
        try (MappedView again = log.view(0, 100)) { // the segment's own hold is intact
            assertThat(again).isNotNull();
            assertThat(again.mapping()).isSameAs(v.mapping());
        }
    }

    @Test
    void onlyTheNewestSegmentsAreMapped() {
        log.close();
        log = SegmentedLog.open(dir, 4096);
        append(1000, 0);
        MappedView first = log.view(0, 1000);
        first.close();
        for (int n = 0; n < SegmentedLog.MAPPED_SEGMENTS; n++) {
            append(4096, 0); // a segment each
        }
        assertThat(first.mapping().acquire()).as("unmapped when it left the window").isFalse();
        assertThat(log.view(0, 1000)).isNull();
        assertThat(log.read(0, 1000).get(999)).isEqualTo((byte) 999);
        try (MappedView newest = log.view(log.endPosition() - 100, 100)) {
            assertThat(newest).isNotNull();
        }
    }

    @Test
    void aSegmentWhoseMappingFaultedIsReadWithPositionalReadsFromThenOn() {
        append(1000, 0);
        MappedView v = log.view(0, 1000);
        log.stopMapping(10, new InternalError("a fault occurred in an unsafe memory access operation"));
        assertThat(v.copy(1, 1)[0]).isEqualTo((byte) 1); // the reader that faulted still holds it
        v.close();
        assertThat(v.mapping().acquire()).isFalse();
        assertThat(log.view(0, 1000)).isNull();
        assertThat(log.read(0, 1000).get(1)).isEqualTo((byte) 1);
    }

    @Test
    void truncateRefusesWhileAReaderMapsTheSegmentAndRetiresTheMapping() {
        append(3000, 0);
        LogSegment segment = log.segments().get(0);
        MappedView v = log.view(0, 3000);
        assertThatThrownBy(() -> segment.truncate(1000))
                .isInstanceOf(IllegalStateException.class);
        assertThat(segment.size()).as("a refused truncate changes nothing").isEqualTo(3000);
        v.close();
        segment.truncate(1000);
        assertThat(v.mapping().acquire()).isFalse();
        try (MappedView after = log.view(0, 1000)) {
            assertThat(after.mapping().length()).isEqualTo(1000);
        }
    }

    @Test
    void noViewPastTheEndOrOfAClosedLog() {
        append(100, 0);
        assertThat(log.view(50, 100)).isNull();
        assertThat(log.view(50, 0)).isNull();
        log.close();
        assertThat(log.view(0, 10)).isNull();
        log = SegmentedLog.open(dir, SEGMENT_BYTES); // for close()
    }
}
