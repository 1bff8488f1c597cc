package io.dledger.broker.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DurableFilesTest {
    @TempDir
    Path dir;

    @Test
    void replaceLeavesTheNewContentAndNoTemporaryFile() throws Exception {
        Path file = dir.resolve("state");
        DurableFiles.replace(file, "one".getBytes(StandardCharsets.UTF_8));
        DurableFiles.replace(file, "two".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(file)).isEqualTo("two");
        try (Stream<Path> names = Files.list(dir)) {
            assertThat(names).containsExactly(file);
        }
    }

    @Test
    void aCopyReplacesItsTargetWithTheSourceBytes() throws Exception {
        Path from = dir.resolve("from");
        Path to = dir.resolve("to");
        Files.writeString(from, "new");
        Files.writeString(to, "old content, longer");
        DurableFiles.copy(from, to);
        assertThat(Files.readString(to)).isEqualTo("new");
        assertThat(Files.readString(from)).isEqualTo("new");
    }

    @Test
    void aDirectoryTreeIsSyncedDirectoryByDirectoryAndAMissingOneIsNothingToSync() throws Exception {
        Files.createDirectories(dir.resolve("log"));
        Files.createDirectories(dir.resolve("index/topic/0"));
        Files.writeString(dir.resolve("index/topic/0/00000000000000000000.idx"), "x");
        DurableFiles.syncDirectoryTree(dir); // opens each directory, never a file, for reading: no error
        DurableFiles.syncDirectoryTree(dir.resolve("absent"));
        assertThat(dir.resolve("absent")).doesNotExist();
    }

    @Test
    void concurrentReplacesOfOneFileNeverMixTheirContents() throws Exception {
        Path file = dir.resolve("state");
        List<String> contents = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            contents.add(String.valueOf((char) ('a' + i)).repeat(64 * 1024));
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (String c : contents) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    for (int round = 0; round < 20; round++) {
                        DurableFiles.replace(file, c.getBytes(StandardCharsets.UTF_8));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            t.start();
            writers.add(t);
        }
        start.countDown();
        for (Thread t : writers) {
            t.join();
        }
        assertThat(failures).isEmpty();
        assertThat(contents).contains(Files.readString(file));
        try (Stream<Path> names = Files.list(dir)) {
            assertThat(names).containsExactly(file);
        }
    }

    @Test
    void removeLeftoversDeletesOnlyTheTemporaryFilesOfThatFile() throws Exception {
        Path file = dir.resolve("first-index");
        DurableFiles.replace(file, new byte[] {1});
        Path leftover = dir.resolve("first-index." + java.util.UUID.randomUUID() + DurableFiles.TEMP_SUFFIX);
        Path otherFiles = dir.resolve("checkpoint." + java.util.UUID.randomUUID() + DurableFiles.TEMP_SUFFIX);
        Path notOurs = dir.resolve("first-index.backup.tmp");
        Path segment = dir.resolve("recycled-00000000000000000001.seg.tmp");
        for (Path p : List.of(leftover, otherFiles, notOurs, segment)) {
            Files.write(p, new byte[] {2});
        }
        assertThat(DurableFiles.removeLeftovers(file)).isEqualTo(1);
        try (Stream<Path> names = Files.list(dir)) {
            assertThat(names).containsExactlyInAnyOrder(file, otherFiles, notOurs, segment);
        }
        assertThat(Files.readAllBytes(file)).containsExactly(1);
    }

    @Test
    void aFailedReplaceLeavesNoTemporaryFileAndTheTargetAsItWas() throws Exception {
        Path target = dir.resolve("state");
        Files.createDirectory(target);
        Files.write(target.resolve("inside"), new byte[] {1}); // a non-empty directory: the rename over it fails
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DurableFiles.replace(target, new byte[] {2}))
                .isInstanceOf(java.io.IOException.class);
        try (Stream<Path> names = Files.list(dir)) {
            assertThat(names).containsExactly(target);
        }
        assertThat(Files.readAllBytes(target.resolve("inside"))).containsExactly(1);
    }
}
