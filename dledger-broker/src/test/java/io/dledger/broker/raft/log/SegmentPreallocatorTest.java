package io.dledger.broker.raft.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class SegmentPreallocatorTest {

    private static void assertZeros(Path file, long bytes) throws Exception {
        byte[] content = Files.readAllBytes(file);
        assertThat(content).hasSize((int) bytes);
        for (int i = 0; i < content.length; i++) {
            if (content[i] != 0) {
                throw new AssertionError("byte " + i + " of " + file + " is " + content[i]);
            }
        }
    }

    @Test
    void aWholeNumberOfBlocksIsZeroFilled(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a.seg");
        Files.write(file, new byte[] {1, 2, 3}); // an old file of the same name is replaced
        long bytes = 3L << 20; // O_DIRECT where the file system allows it
        assertThat(SegmentPreallocator.zeroFill(file, bytes)).isEqualTo(file);
        assertZeros(file, bytes);
        assertThat(dir.resolve("a.seg.part")).doesNotExist();
    }

    @Test
    void anyOtherSizeIsZeroFilledThroughThePageCache(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("b.seg");
        long bytes = (1L << 20) + 4999;
        SegmentPreallocator.zeroFill(file, bytes);
        assertZeros(file, bytes);
    }

    @Test
    void takeMovesAPreparedSpareToTheTarget(@TempDir Path dir) throws Exception {
        try (SegmentPreallocator pre = new SegmentPreallocator(dir, 64 * 1024)) {
            Path target = dir.resolve("00000001.seg");
            pre.take(target, 1000);
            assertZeros(target, 64 * 1024);
        }
    }
}
