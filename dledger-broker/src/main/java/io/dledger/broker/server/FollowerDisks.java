package io.dledger.broker.server;

import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.PeerSpec;
import io.dledger.proto.DiskStatus;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.Role;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's view of its followers' disks, for its admission check ({@link DiskSpaceGuard#check()}): a write is
 * refused with {@code STORAGE_FULL} when some follower's disk is below its {@code store.min.free.bytes} and the
 * nodes that can still store it (the leader, whose own disk is checked before, and the followers that answered, are
 * active and are not below their minimum) are fewer than a majority. Such a write would commit only on a node about
 * to run out of space: a follower whose Raft log append fails on a full disk stops replicating (JRaft's error state,
 * until it is restarted), and without a majority of replicas every produce would time out instead of being told
 * why. One follower short of space in three, with the third healthy, is only logged: the other two commit, and
 * {@code status} shows its disk. Followers that are down but not short of space never cause a refusal: whether a
 * majority is left is then Raft's to say.
 *
 * <p>{@link #poll()} runs every {@link #POLL_MILLIS} on the leader: it asks each voting follower's
 * {@link NodeStatus} (the node's own judgement of its disk, against its own setting) and keeps a verdict. A round
 * that completes after a later one is ignored. A verdict is used for {@link #STALE_NANOS} after its round was
 * started, at most, so polls that stop (leadership lost, a failure) never block writes for long.
 *
 * <p>Thread-safe: {@link #check()} is one volatile read on the produce path (plus a clock read when it refuses);
 * rounds replace the verdict whole; the change log is serialised.
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
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicReference<Verdict> verdict = new AtomicReference<>();
    private Set<String> loggedLow = Set.of(); // guarded by this
    private long loggedRound; // guarded by this
    private String loggedRefusal; // guarded by this
    private final LogThrottle failureLog;

    /**
     * The refusal message ({@code null}: writes may go on), when its round started, the round's number, and the ids
     * of the followers that answered, are active and have space.
     */
    private record Verdict(String refusal, long askedAt, long round, List<String> withSpace) {
    }

    /**
     * @param followers the voting members of the current configuration other than this node
     * @param ask       a follower's status (completes with role {@code UNREACHABLE} when it does not answer)
     */
    FollowerDisks(BooleanSupplier isLeader, Supplier<List<PeerSpec>> followers,
            Function<PeerSpec, CompletableFuture<NodeStatus>> ask, LongSupplier nanoClock) {
        this.isLeader = isLeader;
        this.followers = followers;
        this.ask = ask;
        this.nanoClock = nanoClock;
        this.failureLog = new LogThrottle(TimeUnit.MINUTES.toNanos(1), nanoClock);
    }

    /** Throws {@code STORAGE_FULL} when the last fresh verdict says a majority cannot store more. */
    void check() {
        Verdict v = verdict.get(); // the clock is read only when there is a refusal to date
        if (v != null && v.refusal() != null && fresh(v)) {
            throw RpcErrors.error(ErrorCode.STORAGE_FULL, v.refusal());
        }
    }

    /** Followers that, in the last fresh round, answered as active followers above their minimum (may be empty). */
    List<String> followersWithSpace() {
        Verdict v = verdict.get();
        return v != null && fresh(v) ? v.withSpace() : List.of();
    }

    private boolean fresh(Verdict v) {
        return nanoClock.getAsLong() - v.askedAt() < STALE_NANOS;
    }

    /**
     * One round: asks every follower (on the leader only) and replaces the verdict once all have answered, unless a
     * later round already did. Never throws: a failure is logged (at most once a minute) and the next round tries
     * again.
     */
    void poll() {
        try {
            if (!isLeader.getAsBoolean()) {
                stepDown();
                return;
            }
            long round = rounds.incrementAndGet();
            long askedAt = nanoClock.getAsLong();
            List<CompletableFuture<NodeStatus>> answers = followers.get().stream().map(ask).toList();
            CompletableFuture.allOf(answers.toArray(new CompletableFuture[0])).thenRun(() -> {
                List<NodeStatus> statuses = answers.stream().map(CompletableFuture::join).toList();
                List<String> withSpace = statuses.stream().filter(s -> answered(s) && s.getRole() == Role.FOLLOWER
                        && !below(s)).map(s -> s.getSelf().getId()).toList();
                Verdict fresh = new Verdict(refusal(statuses), askedAt, round, withSpace);
                if (verdict.accumulateAndGet(fresh, FollowerDisks::later) == fresh) {
                    logChange(round, statuses, fresh.refusal());
                }
            }).exceptionally(e -> {
                logFailure(e);
                return null;
            });
        } catch (RuntimeException e) {
            logFailure(e);
        }
    }

    /**
     * Why a write must be refused, given every voting follower's status ({@code null}: it may go on). The leader
     * itself counts as able to store: its own disk is checked before.
     */
    static String refusal(List<NodeStatus> followers) {
        List<NodeStatus> low = followers.stream().filter(FollowerDisks::below).toList();
        if (low.isEmpty()) {
            return null;
        }
        long able = followers.stream().filter(s -> answered(s) && s.getRole() != Role.INACTIVE && !below(s)).count();
        int nodes = followers.size() + 1;
        if (1 + able >= nodes / 2 + 1) {
            return null;
        }
        List<String> each = low.stream().map(s -> s.getSelf().getId() + " (" + describe(s.getDisk()) + ")").toList();
        List<String> out = followers.stream().filter(s -> !below(s) && (!answered(s) || s.getRole() == Role.INACTIVE))
                .map(s -> s.getSelf().getId()).toList();
        return (each.size() == 1 ? "the disk of follower " + each.get(0) + " is below its "
                : "the disks of followers " + String.join(", ", each) + " are below their ")
                + ConfigKey.STORE_MIN_FREE_BYTES.key() + (out.isEmpty() ? "" : " and " + String.join(", ", out)
                + (out.size() == 1 ? " is" : " are") + " unreachable or inactive") + ": fewer than a majority of the "
                + nodes + " nodes can store more, so writes are refused until space is freed on them "
                + "(retention.ms / retention.bytes, deleting topics, bigger disks); nothing of this request was stored";
    }

    private static boolean answered(NodeStatus s) {
        return s != null && s.getRole() != Role.UNREACHABLE;
    }

    private static boolean below(NodeStatus s) {
        return answered(s) && s.hasDisk() && s.getDisk().getBelowMinimum();
    }

    private static String describe(DiskStatus d) {
        return size(d.getUsableBytes()) + " usable, minimum " + size(d.getMinFreeBytes());
    }

    private static String size(long bytes) {
        return bytes >= 1024 * 1024 ? DiskSpaceGuard.mib(bytes) + " MiB" : bytes + " bytes";
    }

    private static Verdict later(Verdict old, Verdict next) {
        return old == null || next.round() > old.round() ? next : old;
    }

    /**
     * Logs followers that fell below their minimum, those that answered above it again (not who went silent), and
     * when refusing writes starts and stops.
     */
    private synchronized void logChange(long round, List<NodeStatus> statuses, String refusal) {
        if (round <= loggedRound) {
            return;
        }
        loggedRound = round;
        if ((refusal == null) != (loggedRefusal == null)) {
            if (refusal != null) {
                LOG.warn("refusing writes with STORAGE_FULL: {}", refusal);
            } else {
                LOG.info("accepting writes again: enough nodes have disk space");
            }
            loggedRefusal = refusal;
        }
        Set<String> low = new TreeSet<>();
        for (NodeStatus s : statuses) {
            String id = s.getSelf().getId();
            if (below(s)) {
                low.add(id);
                if (!loggedLow.contains(id)) {
                    LOG.warn("follower {}'s disk has {}: it stops replicating when its disk fills; free space on it",
                            id, describe(s.getDisk()));
                }
            } else if (loggedLow.contains(id)) {
                if (answered(s)) {
                    LOG.info("follower {}'s disk is above its {} again", id, ConfigKey.STORE_MIN_FREE_BYTES.key());
                } else {
                    low.add(id); // still counted as low for logging until it answers otherwise
                }
            }
        }
        loggedLow = Set.copyOf(low);
    }

    /** Leadership is gone: no verdict, and rounds still in flight from the old term count for nothing. */
    private synchronized void stepDown() {
        long round = rounds.incrementAndGet();
        verdict.accumulateAndGet(new Verdict(null, nanoClock.getAsLong(), round, List.of()), FollowerDisks::later);
        loggedLow = Set.of();
        loggedRefusal = null;
        loggedRound = round;
    }

    private void logFailure(Throwable e) {
        if (failureLog.pass()) {
            LOG.warn("asking the followers for their disks failed (tried again every {} ms): {}", POLL_MILLIS,
                    e.toString());
        }
    }
}
