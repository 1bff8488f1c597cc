package io.dledger.broker.raft.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ObservedLogStorageTest {
    @TempDir
    Path dir;
    private final List<long[]> heard = new ArrayList<>();
    private ObservedLogStorage log;

    @AfterEach
    void close() {
        if (log != null) {
            log.shutdown();
        }
    }

    private ObservedLogStorage open(AppendObserver observer) {
        log = new ObservedLogStorage(new SegmentLogStorage(dir, true, 4096), observer);
        LogStorageOptions opts = new LogStorageOptions();
        opts.setConfigurationManager(new ConfigurationManager());
        opts.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
        assertThat(log.init(opts)).isTrue();
        return log;
    }

    private static List<LogEntry> entries(long from, long to, int bodyBytes) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            LogEntry e = new LogEntry(EntryType.ENTRY_TYPE_DATA);
            e.setId(new LogId(i, 1));
            e.setData(ByteBuffer.wrap(new byte[bodyBytes]));
            list.add(e);
        }
        return list;
    }

    @Test
    void everyStoringAppendIsReportedWithEntriesBytesAndTime() {
        open((entries, bytes, nanos) -> heard.add(new long[] {entries, bytes, nanos}));
        assertThat(log.appendEntries(entries(1, 3, 100))).isEqualTo(3);
        assertThat(log.appendEntry(entries(4, 4, 50).get(0))).isTrue();
        assertThat(heard).hasSize(2);
        assertThat(heard.get(0)[0]).isEqualTo(3);
        assertThat(heard.get(0)[1]).isEqualTo(300);
        assertThat(heard.get(1)[0]).isEqualTo(1);
        assertThat(heard.get(1)[1]).isEqualTo(50);
        assertThat(heard).allSatisfy(h -> assertThat(h[2]).as("append time").isPositive());
        assertThat(log.getLastLogIndex()).isEqualTo(4); // reads pass through
        assertThat(log.getEntry(2).getData().remaining()).isEqualTo(100);
    }

    @Test
    void anAppendThatStoresNothingIsNotReported() {
        open((entries, bytes, nanos) -> heard.add(new long[] {entries, bytes, nanos}));
        log.shutdown(); // passed through: appends after shutdown are refused
        assertThat(log.appendEntries(entries(1, 2, 10))).isZero();
        assertThat(heard).isEmpty();
    }

    @Test
    void aThrowingObserverDoesNotMakeDurableEntriesLookUnwritten() {
        open((entries, bytes, nanos) -> {
            throw new IllegalStateException("metrics broke");
        });
        assertThat(log.appendEntries(entries(1, 3, 10))).isEqualTo(3);
        assertThat(log.getLastLogIndex()).isEqualTo(3);
    }
}
