package io.dledger.broker.server;

import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.PeerSpec;
import io.dledger.proto.DiskStatus;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's view of its followers' disks, for its admission check ({@link DiskSpaceGuard#check()}): a write is
 * refused with {@code STORAGE_FULL} when the nodes whose disks are below their {@code store.min.free.bytes} leave
 * fewer than a majority of the cluster able to store it. Such a write could not commit anyway: a follower whose
 * Raft log append fails on a full disk stops replicating (JRaft's error state, until it is restarted), and
 * without a majority of replicas every produce would time out instead of being told why. One follower short of
 * space in three is only logged: the other two still commit, and {@code cluster status} shows its disk.
 *
 * <p>{@link #poll()} runs every {@link #POLL_MILLIS} on the leader: it asks each follower's {@link NodeStatus} (the
 * node's own judgement of its disk, against its own setting) and keeps a verdict. A follower that does not answer
 * counts as having space: it is not taking writes now, and Raft decides whether a majority is left. A verdict is
 * used for {@link #STALE_NANOS} at most, so a poll that stops (this node lost leadership) never blocks writes later.
 *
 * <p>Thread-safe: {@link #check()} is one volatile read, on the produce path; polls replace the verdict whole.
 */
final class FollowerDisks {
    private static final Logger LOG = LoggerFactory.getLogger(FollowerDisks.class);
    /** How often the leader asks its followers. */
    static final long POLL_MILLIS = 1000;
    /** How long a verdict is trusted: a few missed polls. */
    static final long STALE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final BooleanSupplier isLeader;
    private final Supplier<List<PeerSpec>> followers;
    private final Function<PeerSpec, CompletableFuture<NodeStatus>> ask;
    private final LongSupplier nanoClock;
    private volatile Verdict verdict;
    private volatile List<String> loggedShort = List.of();

    /** The refusal message ({@code null}: writes may go on), and when the polled answers came in. */
    private record Verdict(String refusal, long at) {
    }

    /**
     * @param followers the current configuration's nodes other than this one
     * @param ask       a follower's status (completes with role {@code UNREACHABLE} when it does not answer)
     */
    FollowerDisks(BooleanSupplier isLeader, Supplier<List<PeerSpec>> followers,
            Function<PeerSpec, CompletableFuture<NodeStatus>> ask, LongSupplier nanoClock) {
        this.isLeader = isLeader;
        this.followers = followers;
        this.ask = ask;
        this.nanoClock = nanoClock;
    }

    /** Throws {@code STORAGE_FULL} when the last fresh verdict says a majority cannot store more. */
    void check() {
        Verdict v = verdict;
        if (v != null && v.refusal() != null && nanoClock.getAsLong() - v.at() < STALE_NANOS) {
            throw RpcErrors.error(ErrorCode.STORAGE_FULL, v.refusal());
        }
    }

    /** One round: asks every follower (on the leader only) and replaces the verdict when all have answered. */
    void poll() {
        if (!isLeader.getAsBoolean()) {
            verdict = null;
            return;
        }
        List<CompletableFuture<NodeStatus>> answers = followers.get().stream().map(ask).toList();
        CompletableFuture.allOf(answers.toArray(new CompletableFuture[0])).thenRun(() -> {
            List<NodeStatus> statuses = answers.stream().map(CompletableFuture::join).toList();
            verdict = new Verdict(refusal(statuses), nanoClock.getAsLong());
            logChange(belowMinimum(statuses));
        });
    }

    /**
     * Why a write must be refused, given every follower's status ({@code null}: it may go on). The leader itself
     * counts as having space: its own disk is checked before.
     */
    static String refusal(List<NodeStatus> followers) {
        List<NodeStatus> low = belowMinimum(followers);
        int nodes = followers.size() + 1;
        if (nodes - low.size() >= nodes / 2 + 1) {
            return null;
        }
        List<String> each = low.stream().map(s -> s.getSelf().getId() + " (" + describe(s.getDisk()) + ")").toList();
        return "the disks of followers " + String.join(", ", each) + " are below their "
                + ConfigKey.STORE_MIN_FREE_BYTES.key() + ": fewer than a majority of the " + nodes + " nodes can "
                + "store more, so writes are refused until space is freed on them (retention.ms / retention.bytes, "
                + "deleting topics, bigger disks); nothing of this request was stored";
    }

    private static List<NodeStatus> belowMinimum(List<NodeStatus> followers) {
        List<NodeStatus> low = new ArrayList<>();
        for (NodeStatus s : followers) {
            if (s != null && s.getRole() != Role.UNREACHABLE && s.hasDisk() && s.getDisk().getBelowMinimum()) {
                low.add(s);
            }
        }
        return low;
    }

    private static String describe(DiskStatus d) {
        return DiskSpaceGuard.mib(d.getUsableBytes()) + " MiB usable, minimum " + DiskSpaceGuard.mib(d.getMinFreeBytes())
                + " MiB";
    }

    private void logChange(List<NodeStatus> low) {
        List<String> ids = low.stream().map(s -> s.getSelf().getId()).toList();
        if (ids.equals(loggedShort)) {
            return;
        }
        loggedShort = ids;
        for (NodeStatus s : low) {
            LOG.warn("follower {}'s disk has {}: it stops replicating when its disk fills; free space on it",
                    s.getSelf().getId(), describe(s.getDisk()));
        }
        if (ids.isEmpty()) {
            LOG.info("every follower's disk is above its {} again", ConfigKey.STORE_MIN_FREE_BYTES.key());
        }
    }
}
