package io.dledger.broker.raft.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import io.dledger.broker.config.RaftLogFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class LogStorageFactoryTest {
    private static final long SEGMENT_BYTES = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void aNewLogUsesTheConfiguredFormat() throws IOException {
        LogStorageFactory f = new LogStorageFactory(RaftLogFormat.SEGMENTS, 4096, AppendObserver.NONE);
        assertThat(f.formatFor(dir.resolve("log"))).isEqualTo(RaftLogFormat.SEGMENTS);
        LogStorage log = f.createLogStorage(dir.resolve("log").toString(), new RaftOptions());
        assertThat(log).isInstanceOf(ObservedLogStorage.class); // every format is observed for metrics
        LogStorageOptions opts = new LogStorageOptions();
        opts.setConfigurationManager(new ConfigurationManager());
        opts.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
        assertThat(log.init(opts)).isTrue();
        LogEntry entry = new LogEntry(EntryType.ENTRY_TYPE_DATA);
        entry.setId(new LogId(1, 1));
        entry.setData(ByteBuffer.wrap(new byte[10]));
        assertThat(log.appendEntry(entry)).isTrue();
        log.shutdown();
        try (Stream<Path> files = Files.list(dir.resolve("log"))) { // what it wrote is a segment log
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(RaftLogSegment.SUFFIX));
        }
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
