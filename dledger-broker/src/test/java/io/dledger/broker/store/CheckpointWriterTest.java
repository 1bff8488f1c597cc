package io.dledger.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The ordering {@link CheckpointWriter} promises, on a real (empty) log and a real checkpoint file. */
@Timeout(10)
class CheckpointWriterTest {
    @TempDir
    Path dir;
    private SegmentedLog log;
    private Path file;
    private final AtomicReference<String> failure = new AtomicReference<>();
    private CheckpointWriter writer;

    @BeforeEach
    void open() {
        log = SegmentedLog.open(dir.resolve("log"), 1 << 20);
        file = dir.resolve("checkpoint");
        StoreData data = StoreData.empty(log);
        writer = new CheckpointWriter(file, () -> data, failure::get);
    }

    @AfterEach
    void close() {
        log.close();
    }

    /** A checkpoint at {@code raftIndex} whose one topic "t" has {@code min} as its queue's minimum offset. */
    private static Checkpoint at(long raftIndex, long min) {
        return new Checkpoint(raftIndex, 0, 0, 0, List.of(new Checkpoint.Topic("t", 1, new long[] {min},
                new long[] {30})), List.of(), List.of(), List.of());
    }

    private long persistedMin() {
        return CheckpointCodec.read(file).topics().get(0).minOffsets()[0];
    }

    @Test
    void aBackgroundCheckpointCapturedBeforeADeletionDoesNotReplaceTheDeletionsOwn() {
        long seen = writer.syncCheckpoints(); // the background path reads this at capture...
        Checkpoint stale = at(100, 0); // ...and captures before entry 100's retention moved the minimum
        writer.persistBeforeDeleting(at(100, 10)); // entry 100's retention, before it deletes files
        writer.persistUnlessSuperseded(stale, seen); // the background thread gets the lock last
        assertThat(persistedMin()).isEqualTo(10);
        assertThat(CheckpointCodec.read(file).raftIndex()).isEqualTo(100);
    }

    @Test
    void aBackgroundCheckpointWithNoDeletionSinceItsCaptureIsWritten() {
        writer.persistBeforeDeleting(at(100, 10));
        long seen = writer.syncCheckpoints();
        writer.persistUnlessSuperseded(at(101, 10), seen);
        assertThat(CheckpointCodec.read(file).raftIndex()).isEqualTo(101);
    }

    @Test
    void anOlderCheckpointNeverReplacesANewerOne() {
        writer.persist(at(50, 7));
        writer.persist(at(40, 3));
        assertThat(CheckpointCodec.read(file).raftIndex()).isEqualTo(50);
        assertThat(persistedMin()).isEqualTo(7);

        writer.loaded(60); // a store that loaded the checkpoint of entry 60 never writes an older one
        writer.persist(at(55, 1));
        assertThat(CheckpointCodec.read(file).raftIndex()).isEqualTo(50);
    }

    @Test
    void aFailedStoreWritesNone() {
        failure.set("disk full");
        writer.persist(at(5, 0));
        writer.persistBeforeDeleting(at(6, 0));
        assertThat(Files.exists(file)).isFalse();
    }
}
