package io.dledger.broker.raft.log;

import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import com.alipay.sofa.jraft.util.Describer;
import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Raft log (either format) that tells an {@link AppendObserver} about every append: entries, data bytes and the
 * time the append took, write and fsync included. Everything else passes straight through.
 *
 * <p>Thread-safety: that of the wrapped log; the observer is called on the appending thread (JRaft's log disk
 * thread). An observer that throws is logged and ignored: metrics never turn a durable append into a failure.
 */
final class ObservedLogStorage implements LogStorage, Describer {
    private static final Logger LOG = LoggerFactory.getLogger(ObservedLogStorage.class);

    private final LogStorage log;
    private final AppendObserver observer;

    ObservedLogStorage(LogStorage log, AppendObserver observer) {
        this.log = log;
        this.observer = observer;
    }

    @Override
    public int appendEntries(List<LogEntry> entries) {
        long start = System.nanoTime();
        int stored = log.appendEntries(entries);
        tell(entries, stored, System.nanoTime() - start);
        return stored;
    }

    @Override
    public boolean appendEntry(LogEntry entry) {
        long start = System.nanoTime();
        boolean stored = log.appendEntry(entry);
        tell(List.of(entry), stored ? 1 : 0, System.nanoTime() - start);
        return stored;
    }

    private void tell(List<LogEntry> entries, int stored, long nanos) {
        if (stored <= 0) {
            return;
        }
        try {
            long bytes = 0;
            for (int i = 0; i < stored; i++) {
                ByteBuffer data = entries.get(i).getData();
                bytes += data == null ? 0 : data.remaining();
            }
            observer.appended(stored, bytes, nanos);
        } catch (RuntimeException e) {
            LOG.warn("Raft log append observer failed: {}", e.toString());
        }
    }

    @Override
    public boolean init(LogStorageOptions opts) {
        return log.init(opts);
    }

    @Override
    public void shutdown() {
        log.shutdown();
    }

    @Override
    public long getFirstLogIndex() {
        return log.getFirstLogIndex();
    }

    @Override
    public long getLastLogIndex() {
        return log.getLastLogIndex();
    }

    @Override
    public LogEntry getEntry(long index) {
        return log.getEntry(index);
    }

    @Override
    @SuppressWarnings("deprecation")
    public long getTerm(long index) {
        return log.getTerm(index);
    }

    @Override
    public boolean truncatePrefix(long firstIndexKept) {
        return log.truncatePrefix(firstIndexKept);
    }

    @Override
    public boolean truncateSuffix(long lastIndexKept) {
        return log.truncateSuffix(lastIndexKept);
    }

    @Override
    public boolean reset(long nextLogIndex) {
        return log.reset(nextLogIndex);
    }

    @Override
    public void describe(Printer out) {
        if (log instanceof Describer d) {
            d.describe(out);
        }
    }
}
