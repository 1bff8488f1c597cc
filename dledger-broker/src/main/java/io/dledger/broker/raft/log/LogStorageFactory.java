package io.dledger.broker.raft.log;

import com.alipay.sofa.jraft.core.DefaultJRaftServiceFactory;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import io.dledger.broker.config.RaftLogFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JRaft's service factory with the broker's choice of Raft log: {@link SegmentLogStorage} or JRaft's RocksDB
 * storage, as {@code raft.log.storage} says for a new log directory. A directory that already holds a RocksDB
 * log (its {@code CURRENT} file) keeps RocksDB whatever the setting, so an upgrade never strands a node's log.
 *
 * <p>Thread-safety: immutable; JRaft calls it while the node starts.
 */
public final class LogStorageFactory extends DefaultJRaftServiceFactory {
    private static final Logger LOG = LoggerFactory.getLogger(LogStorageFactory.class);

    private final RaftLogFormat format;
    private final long segmentBytes;
    private final AppendObserver observer;

    /** {@code observer} hears of every append to the log, whichever its format. */
    public LogStorageFactory(RaftLogFormat format, long segmentBytes, AppendObserver observer) {
        this.format = format;
        this.segmentBytes = segmentBytes;
        this.observer = observer;
    }

    /** The format a log in {@code dir} is (or will be) kept in: an existing log's own, else the configured one. */
    public RaftLogFormat formatFor(Path dir) {
        if (Files.exists(dir.resolve("CURRENT"))) {
            return RaftLogFormat.ROCKSDB;
        }
        if (Files.exists(dir.resolve(FirstIndexFile.NAME))) {
            return RaftLogFormat.SEGMENTS;
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(RaftLogSegment.SUFFIX))
                    ? RaftLogFormat.SEGMENTS : format;
        } catch (java.io.IOException e) { // no directory yet: a new log
            return format;
        }
    }

    @Override
    public LogStorage createLogStorage(String uri, RaftOptions raftOptions) {
        Path dir = Path.of(uri);
        RaftLogFormat actual = formatFor(dir);
        if (actual != format) {
            LOG.info("{} holds a {} Raft log: keeping that format (raft.log.storage={} applies to new logs)",
                    dir, actual.name().toLowerCase(), format.name().toLowerCase());
        }
        LogStorage log = actual == RaftLogFormat.ROCKSDB ? super.createLogStorage(uri, raftOptions)
                : new SegmentLogStorage(dir, raftOptions.isSync(), segmentBytes);
        return new ObservedLogStorage(log, observer);
    }
}
