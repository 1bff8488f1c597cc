package io.dledger.broker.raft;

import io.dledger.broker.raft.log.AppendObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a Raft snapshot once {@code thresholdBytes} were appended to the node's Raft log since the last snapshot it
 * asked for, beside JRaft's timer ({@code snapshot.interval.secs}): under heavy writes the log would otherwise
 * grow for a whole interval (2.4 GB at 8 MB/s in 300 s, kept for two intervals), and so would its replay after a
 * restart. A snapshot lets JRaft cut the log behind the previous one, and the dropped segment files become the
 * next segments. As etcd's {@code --snapshot-count} or Kafka's {@code metadata.log.max.record.bytes.between.snapshots}.
 *
 * <p>The log then holds between one and two thresholds' worth of entries (JRaft keeps the log from the previous
 * snapshot on), plus what arrives while a snapshot is taken; a follower down for longer than that catches up by
 * installing the leader's snapshot instead of from the log.
 *
 * <p>Counts the data bytes of every append it hears of ({@link AppendObserver}, on JRaft's log disk thread, which
 * it never blocks: the snapshot is asked for on {@code executor}), passing each append on to {@code next}. At most
 * one snapshot it asked for runs at a time; the count starts again when one is asked for, whether it succeeds
 * or not (a failure is logged, and the next threshold tries again). Snapshots by JRaft's timer or by an operator
 * do not reset the count. Does nothing before {@link #start} and with a threshold of 0.
 *
 * <p>Thread-safety: thread-safe.
 */
final class LogSizeSnapshotTrigger implements AppendObserver {
    private static final Logger LOG = LoggerFactory.getLogger(LogSizeSnapshotTrigger.class);

    private final long thresholdBytes;
    private final AppendObserver next;
    private final Executor executor;
    private final AtomicLong bytesSince = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Supplier<CompletableFuture<Long>> snapshot;

    LogSizeSnapshotTrigger(long thresholdBytes, AppendObserver next, Executor executor) {
        this.thresholdBytes = thresholdBytes;
        this.next = next;
        this.executor = executor;
    }

    /** From now on, {@code snapshot} is asked for a snapshot when the threshold is passed. */
    void start(Supplier<CompletableFuture<Long>> snapshot) {
        this.snapshot = snapshot;
    }

    @Override
    public void appended(int entries, long bytes, long nanos) {
        try {
            count(bytes);
        } finally {
            next.appended(entries, bytes, nanos);
        }
    }

    private void count(long bytes) {
        Supplier<CompletableFuture<Long>> take = snapshot;
        if (thresholdBytes <= 0 || take == null || bytesSince.addAndGet(bytes) < thresholdBytes
                || !running.compareAndSet(false, true)) {
            return;
        }
        long counted = bytesSince.getAndSet(0);
        try {
            executor.execute(() -> {
                CompletableFuture<Long> done;
                try {
                    done = take.get().orTimeout(5, TimeUnit.MINUTES);
                } catch (Throwable e) { // whatever it was, the trigger must not stay "running" for good
                    done = CompletableFuture.failedFuture(e);
                }
                done.whenComplete((index, failure) -> {
                    running.set(false);
                    if (failure != null && String.valueOf(failure.getMessage()).contains("EBUSY")) {
                        LOG.info("snapshot after {} bytes of Raft log not taken, another one runs: {}", counted,
                                failure.getMessage()); // JRaft's timer's, or a follower installing the leader's
                    } else if (failure != null) { // the next threshold tries again
                        LOG.warn("snapshot after {} bytes of Raft log not taken: {}", counted, failure.toString());
                    } else {
                        LOG.info("snapshot at index {} after {} bytes of Raft log", index, counted);
                    }
                });
            });
        } catch (RuntimeException e) { // the executor is shut down: the node is stopping
            running.set(false);
        }
    }
}
