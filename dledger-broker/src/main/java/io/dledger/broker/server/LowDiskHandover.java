package io.dledger.broker.server;

import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.readroute.ReadSituation.FollowerLag;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves leadership off a leader whose own disk is below its {@code store.min.free.bytes}, to a follower whose disk
 * has space. Such a leader refuses every write ({@code STORAGE_FULL}) although the others could take them, and
 * nothing else would move leadership: an election or {@code transfer-leader --to} may put leadership on the node
 * short of space, and a graceful handover or {@code transfer-leader} without a target does when the leader's view of
 * its followers' disks is missing or stale ({@link HandoverTarget}). The target is the least-behind of the followers
 * that, in the leader's last fresh round of {@link FollowerDisks}, answered as active followers above their own
 * minimum; with none there is nothing to do (every node short: writes stay refused until space is freed).
 *
 * <p>{@link #run()} is called once a second on the leader's timer. A target asked for is not asked again for
 * {@link #RETRY_NANOS} (JRaft refused, or its transfer timed out: the target was down or too far behind), so the
 * next run tries the next candidate, if any. Not thread-safe: one timer thread runs it.
 */
final class LowDiskHandover implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LowDiskHandover.class);
    /** Time between two transfer requests: JRaft's own transfer waits up to an election timeout for the target. */
    static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final BooleanSupplier isLeader;
    private final BooleanSupplier ownDiskLow;
    private final Supplier<List<String>> followersWithSpace;
    private final Supplier<List<FollowerLag>> lags;
    private final Predicate<String> transferTo;
    private final LongSupplier nanoClock;
    private final Map<String, Long> askedAt = new HashMap<>();

    /** {@code transferTo}: asks Raft to hand leadership to that node; false when the request was refused. */
    LowDiskHandover(BooleanSupplier isLeader, BooleanSupplier ownDiskLow, Supplier<List<String>> followersWithSpace,
            Supplier<List<FollowerLag>> lags, Predicate<String> transferTo, LongSupplier nanoClock) {
        this.isLeader = isLeader;
        this.ownDiskLow = ownDiskLow;
        this.followersWithSpace = followersWithSpace;
        this.lags = lags;
        this.transferTo = transferTo;
        this.nanoClock = nanoClock;
    }

    @Override
    public void run() {
        try {
            if (!isLeader.getAsBoolean() || !ownDiskLow.getAsBoolean()) {
                return;
            }
            long now = nanoClock.getAsLong();
            askedAt.values().removeIf(at -> now - at >= RETRY_NANOS);
            List<String> candidates = followersWithSpace.get().stream().filter(id -> !askedAt.containsKey(id))
                    .toList();
            if (candidates.isEmpty()) {
                return;
            }
            // the least behind of them by the graceful handover's choice; one whose lag is unknown only after those
            List<FollowerLag> candidateLags = lags.get().stream()
                    .filter(l -> candidates.contains(l.peer().id())).toList();
            String target = HandoverTarget.choose(candidateLags, candidates).orElse(candidates.get(0));
            askedAt.put(target, now);
            LOG.warn("this leader's disk is below its {}: handing leadership to {}, whose disk has space, so writes "
                    + "can go on", ConfigKey.STORE_MIN_FREE_BYTES.key(), target);
            if (!transferTo.test(target)) {
                LOG.warn("the transfer to {} was refused; the next follower with space is tried next", target);
            }
        } catch (RuntimeException e) {
            LOG.warn("handing leadership over from a leader short of disk space failed: {}", e.toString());
        }
    }
}
