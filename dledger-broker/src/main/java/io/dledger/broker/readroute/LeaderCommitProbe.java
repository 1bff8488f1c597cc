package io.dledger.broker.readroute;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * On a follower: how many Raft entries this node is behind the leader's commit. A follower learns of
 * commits only for entries it has received, so its own commit-minus-applied shows no lag when it falls
 * behind in <em>receiving</em> (a slow disk, a stalled connection, a restart catching up). This probe asks
 * the leader for its commit index (a Raft ReadIndex round, answered once this node has applied up to it)
 * every {@code interval} and remembers {@code leaderCommit - appliedWhenAsked}. An answer that takes longer
 * than {@code slowAfter}, or a request that fails after that long, counts as far behind
 * ({@link Long#MAX_VALUE}).
 *
 * <p>Probes run only while they are wanted: a follower that knows a leader and has answered a pull in
 * the last {@code wantedFor}, so an idle cluster sends no extra rounds. At most one probe is in flight.
 *
 * <p>Thread-safe: probes start on the given timer, answers arrive on a Raft thread, {@link #lagEntries()}
 * is called by readers.
 */
public final class LeaderCommitProbe implements AutoCloseable {
    /** One ReadIndex round: calls {@code onIndex} with the leader's commit index once this node applied it. */
    @FunctionalInterface
    public interface ReadIndexCall {
        void request(LongConsumer onIndex, Runnable onFailure);
    }

    private final ReadIndexCall readIndex;
    private final LongSupplier appliedIndex;
    private final BooleanSupplier followerWithLeader;
    private final LongSupplier nanoClock;
    private final long slowAfterNanos;
    private final long wantedForNanos;
    private final ScheduledFuture<?> schedule;
    private volatile long lag; // from the last finished probe; 0 while unknown
    private volatile long pendingSince; // nanoClock of the probe in flight
    private volatile boolean pending;
    private volatile long wantedUntil;

    public LeaderCommitProbe(ReadIndexCall readIndex, LongSupplier appliedIndex, BooleanSupplier followerWithLeader,
                             LongSupplier nanoClock, ScheduledExecutorService timer, long intervalMs, long slowAfterMs,
                             long wantedForMs) {
        this.readIndex = readIndex;
        this.appliedIndex = appliedIndex;
        this.followerWithLeader = followerWithLeader;
        this.nanoClock = nanoClock;
        this.slowAfterNanos = TimeUnit.MILLISECONDS.toNanos(slowAfterMs);
        this.wantedForNanos = TimeUnit.MILLISECONDS.toNanos(wantedForMs);
        this.wantedUntil = nanoClock.getAsLong();
        this.schedule = timer == null ? null
                : timer.scheduleWithFixedDelay(this::probe, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Entries this node is behind the leader's commit as last measured, {@link Long#MAX_VALUE} while a probe
     * has been unanswered for longer than {@code slowAfter}; 0 when unknown. Marks probing as wanted.
     */
    public long lagEntries() {
        wantedUntil = nanoClock.getAsLong() + wantedForNanos;
        return lastMeasured();
    }

    /** The last measurement as {@link #lagEntries()} gives it, without asking for more (for metrics). */
    public long lastMeasured() {
        return pending && nanoClock.getAsLong() - pendingSince > slowAfterNanos ? Long.MAX_VALUE : lag;
    }

    /** Starts one probe unless one is in flight or none is wanted; the timer calls this every interval. */
    void probe() {
        try {
            long now = nanoClock.getAsLong();
            if (!followerWithLeader.getAsBoolean() || now - wantedUntil > 0) {
                // leaders have no such lag, followers without a leader are steered by other rules, and a measurement
                // nobody asks for goes stale: unknown until the next probe answers
                lag = 0;
                return;
            }
            if (pending) {
                return;
            }
            long appliedWhenAsked = appliedIndex.getAsLong();
            pendingSince = now;
            pending = true;
            readIndex.request(index -> finish(Math.max(0, index - appliedWhenAsked)), this::failed);
        } catch (RuntimeException e) {
            // JRaft refuses while the node is not active (stopping, or stopped by an error); an exception escaping
            // a periodic task would end the schedule for good: the next interval tries again
            pending = false;
        }
    }

    private void finish(long entries) {
        lag = entries;
        pending = false;
    }

    private void failed() {
        // a quick failure (leader change) says nothing about this node; a slow one means it could not catch up
        lag = nanoClock.getAsLong() - pendingSince > slowAfterNanos ? Long.MAX_VALUE : 0;
        pending = false;
    }

    @Override
    public void close() {
        if (schedule != null) {
            schedule.cancel(false);
        }
    }
}
