package io.dledger.broker.raft.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.concurrent.ManualExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class RecycledSegmentsTest {
    private static final int SEGMENT = 8192;

    @TempDir
    Path dir;

    private Path droppedSegment(String name, byte fill) throws IOException {
        byte[] bytes = new byte[SEGMENT];
        Arrays.fill(bytes, fill);
        return Files.write(dir.resolve(name), bytes);
    }

    private long filesNamed(String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).count();
        }
    }

    @Test
    void aKeptFileIsHandedOutOnlyOncePreparedAndThenReadsAsAnEmptySegment() throws IOException {
        ManualExecutor executor = new ManualExecutor();
        RecycledSegments recycled = new RecycledSegments(dir, SEGMENT, executor);
        assertThat(recycled.offer(droppedSegment("a.seg", (byte) 7), 100, 4)).isTrue();
        Path target = RaftLogSegment.fileName(dir, 100);

        assertThat(recycled.takeInto(target, 100)).as("not prepared yet").isFalse();
        executor.runAll();
        assertThat(recycled.takeInto(target, 100)).isTrue();

        byte[] bytes = Files.readAllBytes(target);
        assertThat(Arrays.copyOf(bytes, SegmentRecordCodec.END_MARK_BYTES)).as("the end mark at the start")
                .containsOnly(0);
        assertThat(bytes[SegmentRecordCodec.END_MARK_BYTES]).as("the rest is left as it was").isEqualTo((byte) 7);
        assertThat(recycled.size()).isZero();
        assertThat(filesNamed(RecycledSegments.PREFIX)).isZero();
    }

    @Test
    void noMoreFilesAreKeptThanAskedNorFilesOfAnotherSize() throws IOException {
        RecycledSegments recycled = new RecycledSegments(dir, SEGMENT, Runnable::run);
        assertThat(recycled.offer(droppedSegment("a.seg", (byte) 1), 10, 2)).isTrue();
        assertThat(recycled.offer(droppedSegment("b.seg", (byte) 1), 20, 2)).isTrue();
        assertThat(recycled.offer(droppedSegment("c.seg", (byte) 1), 30, 2)).isFalse();
        assertThat(recycled.offer(droppedSegment("e.seg", (byte) 1), 15, 5)).as("not above the last kept").isFalse();
        Path small = Files.write(dir.resolve("d.seg"), new byte[SEGMENT / 2]);
        assertThat(new RecycledSegments(dir, SEGMENT, Runnable::run).offer(small, 40, 10)).isFalse();
        assertThat(recycled.size()).isEqualTo(2);
        recycled.trim(1);
        assertThat(recycled.size()).isEqualTo(1);
        assertThat(Files.exists(RecycledSegments.fileName(dir, 20))).as("the newest goes first").isFalse();
        assertThat(Files.exists(RecycledSegments.fileName(dir, 10))).isTrue();
    }

    @Test
    void aFileIsNeverUsedBelowTheIndexesItHeldAndIsDeletedInstead() throws IOException {
        RecycledSegments recycled = new RecycledSegments(dir, SEGMENT, Runnable::run);
        recycled.offer(droppedSegment("a.seg", (byte) 1), 500, 4);

        assertThat(recycled.takeInto(RaftLogSegment.fileName(dir, 499), 499)).isFalse();
        assertThat(recycled.size()).isZero();
        assertThat(filesNamed(RecycledSegments.PREFIX)).isZero();
        assertThat(Files.exists(RaftLogSegment.fileName(dir, 499))).isFalse();
    }

    @Test
    void filesKeptByAnEarlierRunAreTakenUpOldestFirst() throws IOException {
        RecycledSegments first = new RecycledSegments(dir, SEGMENT, Runnable::run);
        first.offer(droppedSegment("a.seg", (byte) 1), 10, 4);
        first.offer(droppedSegment("b.seg", (byte) 2), 20, 4);
        Files.write(RecycledSegments.fileName(dir, 30), new byte[100]); // of another segment size: deleted

        RecycledSegments again = new RecycledSegments(dir, SEGMENT, Runnable::run);
        assertThat(again.size()).isEqualTo(2);
        Path target = RaftLogSegment.fileName(dir, 25);
        assertThat(again.takeInto(target, 25)).isTrue();
        assertThat(Files.readAllBytes(target)[SegmentRecordCodec.END_MARK_BYTES]).isEqualTo((byte) 1);
        assertThat(Files.exists(RecycledSegments.fileName(dir, 30))).isFalse();
    }
}
