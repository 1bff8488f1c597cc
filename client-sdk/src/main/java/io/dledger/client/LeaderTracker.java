package io.dledger.client;

import io.dledger.proto.NodeRef;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's cached idea of the leader, and how it is corrected: immediately from a leader hint (a node naming
 * the leader), or by a refresh that asks every known node at once ({@link ClusterProbe}).
 *
 * <p>Refreshes are coalesced: however many operations fail at once, at most one refresh runs at a time and they all
 * wait for it; a failure against a leader that is no longer the cached one (because another operation already
 * moved on) triggers no refresh. Consecutive refreshes start at least {@link #MIN_REFRESH_INTERVAL_NANOS} apart so
 * an election does not turn into a status-polling storm.
 *
 * <p>Thread-safe: lock-free, all state in atomic references.
 */
final class LeaderTracker {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderTracker.class);

    static final long MIN_REFRESH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** How often {@link #awaitAnother} refreshes while operations wait for a new leader. */
    static final long NEW_LEADER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

    /** The cached leader: its id (possibly empty when only an address is known) and a fallback address. */
    record LeaderRef(String id, String address) {
    }

    /** Runs a task after a delay (the client's scheduler). */
    @FunctionalInterface
    interface Delayer {
        /** Runs {@code task} after {@code delayNanos}; answers {@code false} when it accepts no more tasks. */
        boolean schedule(Runnable task, long delayNanos);
    }

    private final NodeDirectory directory;
    private final ClusterProbe probe;
    private final Delayer delayer;
    private final long probeTimeoutNanos;
    private final AtomicReference<LeaderRef> leader = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<Void>> inFlight = new AtomicReference<>();
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean polling = new AtomicBoolean();
    private volatile long lastRefreshEndNanos;
    private volatile String lastAnswers = "not asked yet";
    private volatile boolean someNodeAnswered = true; // until asked: not yet known to be unreachable
    /** Set while every node of the last refresh refused this client ({@code UNAUTHENTICATED}): waiting cannot help. */
    private volatile DLedgerException refusal;

    /**
     * @param probeTimeoutNanos deadline of each status call of a refresh
     * @param delayer           schedules delayed tasks; answers {@code false} when it no longer accepts any
     */
    LeaderTracker(NodeDirectory directory, ClusterProbe probe, Delayer delayer, long probeTimeoutNanos) {
        this.directory = directory;
        this.probe = probe;
        this.delayer = delayer;
        this.probeTimeoutNanos = probeTimeoutNanos;
        this.lastRefreshEndNanos = System.nanoTime() - MIN_REFRESH_INTERVAL_NANOS;
    }

    /** Whether any node answered the last probe (false: the cluster is down or the addresses are wrong). */
    boolean someNodeAnswered() {
        return someNodeAnswered;
    }

    /**
     * The error every node answered the last refresh with when it refuses this client whoever asks
     * ({@code UNAUTHENTICATED}), else {@code null}.
     */
    DLedgerException refusal() {
        return refusal;
    }

    /** What the nodes answered in the last refresh, for error messages. */
    String lastAnswers() {
        return lastAnswers;
    }

    /** The cached leader, or {@code null} when none is known. */
    LeaderRef current() {
        return leader.get();
    }

    /** The address to call for {@code ref}: the directory's address for its id, else the address it came with. */
    String addressOf(LeaderRef ref) {
        return (ref.id().isEmpty() ? Optional.<String>empty() : directory.addressOf(ref.id()))
                .orElse(ref.address());
    }

    /**
     * Switches to the leader a node named.
     *
     * @return {@code false} when the hint names no address the client could call
     */
    boolean acceptHint(DLedgerException.LeaderHint hint) {
        NodeRef ref = NodeRef.newBuilder().setId(hint.nodeId()).setGrpcAddress(hint.grpcAddress()).build();
        return switchTo(ref, null);
    }

    /**
     * Switches to {@code leader}, named by node {@code answeredBy}, only while the cached leader is still that node
     * (a hint overtaken by a redirect or a refresh moves nothing back) and the hint names another node.
     *
     * @return whether the cached leader is now another node than {@code answeredBy}: moved by this hint or, since
     *         the call that got it was sent, by another answer
     */
    boolean acceptHintFrom(String answeredBy, NodeRef leader) {
        if (answeredBy.isEmpty() || leader.getId().equals(answeredBy)) {
            return false;
        }
        switchTo(leader, answeredBy);
        return isAnother(answeredBy);
    }

    /** Switches to {@code ref}; with {@code onlyFrom}, only while the cached leader has that id. */
    private boolean switchTo(NodeRef ref, String onlyFrom) {
        directory.learn(ref);
        Optional<String> address = directory.addressOf(ref);
        if (address.isEmpty()) {
            return false;
        }
        LeaderRef next = new LeaderRef(ref.getId(), address.get());
        LeaderRef previous;
        do {
            previous = leader.get();
            if (onlyFrom != null && (previous == null || !previous.id().equals(onlyFrom))) {
                return false;
            }
        } while (!leader.compareAndSet(previous, next));
        if (!next.equals(previous)) {
            LOG.debug("leader is now {} at {} (a node named it)", ref.getId(), next.address());
        }
        return true;
    }

    /**
     * Called after an operation failed against leader {@code failedId} ({@code null}: none was known). Refreshes
     * unless the cached leader already changed since (another operation or refresh moved on).
     *
     * @return completes (never exceptionally) when the cached leader is worth trying again
     */
    CompletableFuture<Void> onFailure(String failedId) {
        LeaderRef now = leader.get();
        if (now != null && !Objects.equals(now.id(), failedId)) {
            return CompletableFuture.completedFuture(null);
        }
        return refresh();
    }

    /**
     * Waits until a leader other than {@code failedId} ({@code null}: any leader) is known, or until
     * {@code maxWaitNanos} passed, whichever comes first. Used after an operation lost its leader: it goes on as
     * soon as the election is over instead of at the end of its backoff. While anyone waits, one poll refreshes
     * every {@link #NEW_LEADER_POLL_NANOS}, shared by all waiters.
     *
     * @return completes (never exceptionally) when another leader is known or the wait is over
     */
    CompletableFuture<Void> awaitAnother(String failedId, long maxWaitNanos) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (isAnother(failedId)) {
            done.complete(null);
            return done;
        }
        Waiter w = new Waiter(failedId, done);
        waiters.add(w);
        done.whenComplete((v, e) -> waiters.remove(w));
        if (!delayer.schedule(() -> done.complete(null), maxWaitNanos)) {
            done.complete(null); // closing
            return done;
        }
        startPolling(0);
        return done;
    }

    private void startPolling(long delayNanos) {
        if (!waiters.isEmpty() && polling.compareAndSet(false, true)
                && !delayer.schedule(this::pollForWaiters, delayNanos)) {
            polling.set(false); // closing: close() releases the waiters
        }
    }

    private void pollForWaiters() {
        refresh().whenComplete((v, e) -> {
            for (Waiter w : waiters) {
                if (isAnother(w.failedId())) {
                    w.done().complete(null);
                }
            }
            polling.set(false);
            startPolling(NEW_LEADER_POLL_NANOS); // again while anyone still waits
        });
    }

    private boolean isAnother(String failedId) {
        LeaderRef now = leader.get();
        return now != null && !Objects.equals(now.id(), failedId);
    }

    /** An operation waiting in {@link #awaitAnother}. */
    private record Waiter(String failedId, CompletableFuture<Void> done) {
    }

    /** Asks the cluster who leads, joining a refresh already running. Never completes exceptionally. */
    CompletableFuture<Void> refresh() {
        while (true) {
            CompletableFuture<Void> running = inFlight.get();
            if (running != null) {
                return running;
            }
            CompletableFuture<Void> mine = new CompletableFuture<>();
            if (inFlight.compareAndSet(null, mine)) {
                long wait = lastRefreshEndNanos + MIN_REFRESH_INTERVAL_NANOS - System.nanoTime();
                if (wait <= 0 || !delayer.schedule(() -> runRefresh(mine), wait)) {
                    runRefresh(mine);
                }
                return mine;
            }
        }
    }

    private void runRefresh(CompletableFuture<Void> mine) {
        CompletableFuture<List<ClusterProbe.Answer>> answers;
        try {
            answers = probe.run(probeTimeoutNanos, true);
        } catch (RuntimeException e) {
            answers = CompletableFuture.completedFuture(List.of());
        }
        answers.whenComplete((list, error) -> {
            if (list != null) {
                accept(list);
            }
            lastRefreshEndNanos = System.nanoTime();
            inFlight.set(null);
            mine.complete(null);
        });
    }

    /** Releases anyone waiting for a refresh that the closing client will not finish. */
    void close() {
        CompletableFuture<Void> running = inFlight.getAndSet(null);
        if (running != null) {
            running.complete(null);
        }
        for (Waiter w : waiters) {
            w.done().complete(null);
        }
    }

    /** Adopts the leader {@code answers} settle on (or forgets the leader when they settle on none). */
    void accept(List<ClusterProbe.Answer> answers) {
        lastAnswers = ClusterProbe.summarize(answers);
        someNodeAnswered = answers.stream().anyMatch(ClusterProbe.Answer::ok);
        refusal = !answers.isEmpty() && answers.stream().allMatch(a -> !a.ok()
                && a.error().typedCode() == ErrorCode.UNAUTHENTICATED) ? answers.get(0).error() : null;
        Optional<ClusterProbe.LeaderChoice> choice = ClusterProbe.chooseLeader(answers);
        LeaderRef next = choice.map(c -> new LeaderRef(c.id(), c.address())).orElse(null);
        LeaderRef previous = leader.getAndSet(next);
        if (!Objects.equals(next, previous)) {
            LOG.debug("leader is now {} (term {}), was {}", next == null ? "unknown" : next.id(),
                    choice.map(ClusterProbe.LeaderChoice::term).orElse(-1L),
                    previous == null ? "unknown" : previous.id());
        }
    }
}
