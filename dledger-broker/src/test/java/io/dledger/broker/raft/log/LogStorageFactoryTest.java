package io.dledger.broker.raft.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import io.dledger.broker.config.RaftLogFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class LogStorageFactoryTest {
    private static final long SEGMENT_BYTES = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void aNewLogUsesTheConfiguredFormat() {
        LogStorageFactory f = new LogStorageFactory(RaftLogFormat.SEGMENTS, SEGMENT_BYTES, AppendObserver.NONE);
        assertThat(f.formatFor(dir.resolve("log"))).isEqualTo(RaftLogFormat.SEGMENTS);
        LogStorage log = f.createLogStorage(dir.resolve("log").toString(), new RaftOptions());
        assertThat(log).isInstanceOf(ObservedLogStorage.class); // every format is observed for metrics
        assertThat(((ObservedLogStorage) log).unwrap()).isInstanceOf(SegmentLogStorage.class);
    }

    @Test
    void anExistingRocksDbLogKeepsItsFormat() throws IOException {
        Path log = Files.createDirectories(dir.resolve("log"));
        Files.writeString(log.resolve("CURRENT"), "MANIFEST-000005\n");
        LogStorageFactory f = new LogStorageFactory(RaftLogFormat.SEGMENTS, SEGMENT_BYTES, AppendObserver.NONE);
        assertThat(f.formatFor(log)).isEqualTo(RaftLogFormat.ROCKSDB);
    }

    @Test
    void anExistingSegmentLogKeepsItsFormat() throws IOException {
        Path log = Files.createDirectories(dir.resolve("log"));
        Files.createFile(log.resolve("00000000000000000001" + RaftLogSegment.SUFFIX));
        LogStorageFactory f = new LogStorageFactory(RaftLogFormat.ROCKSDB, SEGMENT_BYTES, AppendObserver.NONE);
        assertThat(f.formatFor(log)).isEqualTo(RaftLogFormat.SEGMENTS);
        assertThat(f.formatFor(dir.resolve("new"))).isEqualTo(RaftLogFormat.ROCKSDB);
    }
}
