package io.dledger.broker.statemachine;

import io.dledger.broker.concurrent.DaemonThreadFactory;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.SegmentInfo;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention, decided on the leader: every {@code checkMs} it finds the oldest log segments that are
 * past {@code retentionMs} (all their records older than the next segment's first) or that push the log
 * over {@code retentionBytes}, and proposes a Raft command to drop them, so every replica deletes the same
 * segments at the same point of the log and the queues' minimum offsets stay identical everywhere. The
 * active segment is never deleted.
 */
public final class RetentionScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionScheduler.class);

    private final MessageStore store;
    private final BrokerStateMachine fsm;
    private final CommandProposer proposer;
    private final long retentionMs;
    private final long retentionBytes;
    private final LongSupplier clock;
    private final ScheduledExecutorService timer;
    private long lastProposed;

    public RetentionScheduler(MessageStore store, BrokerStateMachine fsm, CommandProposer proposer, long retentionMs,
                              long retentionBytes, long checkMs, LongSupplier clock) {
        this.store = store;
        this.fsm = fsm;
        this.proposer = proposer;
        this.retentionMs = retentionMs;
        this.retentionBytes = retentionBytes;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(new DaemonThreadFactory("dledger-retention"));
        if (retentionMs > 0 || retentionBytes > 0) {
            timer.scheduleWithFixedDelay(this::check, checkMs, checkMs, TimeUnit.MILLISECONDS);
        }
    }

    /** The first Raft index to keep, or 0 when nothing is due. */
    static long firstIndexToKeep(List<SegmentInfo> segs, long now, long retentionMs, long retentionBytes) {
        int keepFrom = 0;
        if (retentionMs > 0) {
            long cutoff = now - retentionMs;
            while (keepFrom + 1 < segs.size() && segs.get(keepFrom + 1).firstTimestamp() < cutoff) {
                keepFrom++;
            }
        }
        if (retentionBytes > 0) {
            long total = segs.stream().skip(keepFrom).mapToLong(SegmentInfo::size).sum();
            while (keepFrom + 1 < segs.size() && total > retentionBytes) {
                total -= segs.get(keepFrom).size();
                keepFrom++;
            }
        }
        return keepFrom == 0 ? 0 : segs.get(keepFrom).firstIndex();
    }

    private void check() {
        try {
            if (!fsm.isLeader()) {
                return;
            }
            long keep = firstIndexToKeep(store.segmentInfos(), clock.getAsLong(), retentionMs, retentionBytes);
            if (keep > lastProposed && keep != Long.MAX_VALUE) {
                lastProposed = keep;
                proposer.retain(keep).get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.warn("retention check failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
