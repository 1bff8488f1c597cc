package io.dledger.client;

import io.grpc.CallOptions;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one {@link Operation} to completion: attempt, classify the failure with {@link RetryPolicy}, redirect /
 * refresh / back off, attempt again, until success, a non-retryable error, or the overall deadline (then it fails
 * with the last error).
 *
 * <p>Thread-safety: attempts are strictly sequential (the next one is only started from the completion of the
 * previous one, through executor hand-offs or future completions, which order memory), so the mutable fields are
 * confined to one logical flow at a time. {@link #abort} may be called from any thread; it only touches the
 * thread-safe result future.
 */
final class RetryingCall<R> {

    private static final Logger LOG = LoggerFactory.getLogger(RetryingCall.class);

    /** Redirects followed in a row without backoff before treating a hint like any retryable error. */
    static final int MAX_REDIRECTS_IN_ROW = 3;

    private final ClusterRouter router;
    private final Operation<?, R> op;
    /** The least time a last attempt gets when the backoff is cut short for it. */
    static final long LAST_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private final long deadlineNanos;
    private final long startNanos = System.nanoTime();
    private final CompletableFuture<R> result = new CompletableFuture<>();

    private int attempts;
    private int backoffStep;
    private int redirectsInRow;
    private boolean refreshedBeforeAttempt;
    /** A failed attempt may have been executed (not proven otherwise); read by {@link #abort} on another thread. */
    private volatile boolean uncertainAttempt;
    /** An attempt was sent and has not answered yet. */
    private volatile boolean onTheWire;
    /** Some attempt failed without proof that the node did not run it (for {@link #closingError}). */
    private volatile boolean maybeExecuted;
    private DLedgerException lastError;

    RetryingCall(ClusterRouter router, Operation<?, R> op, long deadlineNanos) {
        this.router = router;
        this.op = op;
        this.deadlineNanos = deadlineNanos;
    }

    CompletableFuture<R> result() {
        return result;
    }

    void start() {
        attempt();
    }

    /** Fails the operation now (client closing); a running attempt's outcome is then ignored. */
    void abort(DLedgerException error) {
        result.completeExceptionally(error);
    }

    /**
     * Fails the operation because the client is closing: as {@link ErrorCode#CLIENT_CLOSED} when it surely was not
     * carried out (a read never is), as {@link ErrorCode#OUTCOME_UNKNOWN} when a write's attempt is on its way or an
     * earlier one may have run (a send the caller repeats could otherwise be stored twice).
     */
    void abortClosing() {
        result.completeExceptionally(closingError());
    }

    /**
     * The error for a client that closed under this operation. Ordering: {@link #send} raises {@code onTheWire}
     * before it checks for a close and lowers it only after the outcome is recorded, and the client is marked closed
     * before its calls are aborted, so either the send sees the close and sends nothing, or this sees the flag.
     */
    private DLedgerException closingError() {
        boolean mayHaveRun = onTheWire || uncertainAttempt || maybeExecuted;
        return mayHaveRun && op.effect() != Operation.Effect.READ ? Errors.closedInFlight(op.name())
                : Errors.closed("client");
    }

    private void attempt() {
        if (result.isDone()) {
            return;
        }
        if (router.isClosed()) {
            result.completeExceptionally(closingError());
            return;
        }
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            giveUp();
            return;
        }
        String nodeId;
        String address;
        if (op.targetsLeader()) {
            LeaderTracker.LeaderRef leader = router.leaders().current();
            if (leader == null) {
                if (refreshFirst()) {
                    return;
                }
                DLedgerException refused = router.leaders().refusal(); // not retryable: fails at once
                onFailure(null, refused != null ? refused
                        : Errors.noLeader(router.leaders().lastAnswers(), router.leaders().someNodeAnswered()));
                return;
            }
            nodeId = leader.id();
            address = router.leaders().addressOf(leader);
        } else {
            nodeId = op.nodeId();
            Optional<String> known = router.directory().addressOf(nodeId);
            if (known.isEmpty()) {
                if (refreshFirst()) {
                    return;
                }
                DLedgerException refused = router.leaders().refusal(); // the nodes refused to say who they are
                result.completeExceptionally(refused != null ? refused
                        : Errors.unknownNode(nodeId, router.directory().knownIds()));
                return;
            }
            address = known.get();
        }
        send(nodeId, address, remaining);
    }

    /** Before the first attempt that lacks a target, learn the cluster once (no backoff); {@code false} if done. */
    private boolean refreshFirst() {
        if (refreshedBeforeAttempt) {
            return false;
        }
        refreshedBeforeAttempt = true;
        retryAfter(0, router.leaders()::refresh);
        return true;
    }

    private void send(String nodeId, String address, long remainingNanos) {
        attempts++;
        if (attempts > 1) {
            router.directory().wakeUp(address); // a node that came back is tried now, not after gRPC's backoff
        }
        long attemptTimeout = Math.min(router.config().requestTimeout().toNanos() + op.serverWaitNanos(),
                op.waitPastDeadline() ? remainingNanos + op.serverWaitNanos() : remainingNanos);
        CallOptions options = router.config().callOptions(attemptTimeout);
        onTheWire = true;
        if (router.isClosed() || result.isDone()) { // closed since attempt() looked: send nothing
            onTheWire = false;
            result.completeExceptionally(closingError());
            return;
        }
        try {
            op.start(router.directory().channel(address), options, new StreamObserver<>() {
                private R value;

                @Override
                public void onNext(R v) {
                    value = v;
                }

                @Override
                public void onError(Throwable t) {
                    DLedgerException error = Errors.from(t);
                    if (!RetryPolicy.provesNotExecuted(error)) {
                        maybeExecuted = true; // before the flag drops, for a close that looks in between
                    }
                    onTheWire = false;
                    onFailure(nodeId, error);
                }

                @Override
                public void onCompleted() {
                    result.complete(value);
                    onTheWire = false;
                }
            });
        } catch (RuntimeException e) {
            onTheWire = false;
            onFailure(nodeId, Errors.from(e));
        }
    }

    private void onFailure(String targetId, DLedgerException error) {
        if (result.isDone()) {
            return;
        }
        lastError = error;
        if (op.failWhenRefused() && targetId != null && RetryPolicy.cannotConnect(error)) {
            result.completeExceptionally(uncertainAttempt ? error.afterUncertainAttempt() : error);
            return;
        }
        // targetId null: no request was sent (no leader known), so even a non-idempotent operation may go on
        RetryPolicy.Decision decision = targetId == null && error.retryable() ? RetryPolicy.Decision.RETRY
                : RetryPolicy.decide(error, op.idempotent(), op.targetsLeader());
        boolean mayHaveRun = targetId != null && !RetryPolicy.provesNotExecuted(error);
        if (decision == RetryPolicy.Decision.FAIL) {
            // a transient error that does not prove the attempt was refused (a broken connection) ends an operation
            // that is not retried then: its outcome is unknown, and the caller is told so (OUTCOME_UNKNOWN says it)
            boolean thisUncertain = mayHaveRun && (error.retryable() || RetryPolicy.brokenAfterSending(error))
                    && error.code() != ErrorCode.OUTCOME_UNKNOWN;
            result.completeExceptionally(uncertainAttempt || thisUncertain ? error.afterUncertainAttempt() : error);
            return;
        }
        if (mayHaveRun) {
            uncertainAttempt = true;
        }
        if (decision == RetryPolicy.Decision.REDIRECT && redirectsInRow < MAX_REDIRECTS_IN_ROW
                && router.leaders().acceptHint(error.leaderHint().orElseThrow())) {
            redirectsInRow++;
            LOG.debug("{}: node {} is not the leader, redirecting to {} (attempt {})", op.name(), targetId,
                    error.leaderHint().orElseThrow().nodeId(), attempts);
            retryAfter(0, RetryingCall::ready);
            return;
        }
        redirectsInRow = 0;
        long remaining = deadlineNanos - System.nanoTime();
        long backoff = RetryPolicy.backoffNanos(backoffStep++);
        if (backoff >= remaining && remaining <= LAST_ATTEMPT_NANOS) {
            giveUp();
            return;
        }
        // a backoff longer than the time left is cut short for one last attempt
        long delay = backoff < remaining ? backoff : remaining - LAST_ATTEMPT_NANOS;
        LOG.debug("{}: {} failed ({}); {} attempt(s) so far, retrying in {} ms", op.name(),
                targetId == null ? "finding the leader" : "attempt on " + targetId, error.getMessage(), attempts,
                TimeUnit.NANOSECONDS.toMillis(delay));
        // A lost leader (unreachable, or no longer leading without naming another): wait for the next one, at most
        // the backoff, and go on as soon as it is known. Otherwise the leader is re-discovered after the backoff,
        // so the retry uses the freshest view. A call to a named node re-probes the seeds first while some seed is
        // not yet known as a node: the seed that was down at start may be that node, reachable only through the
        // seed address (port mapping, NAT).
        if (op.targetsLeader() && (targetId == null || RetryPolicy.leaderLost(error))) { // null: none known
            retryAfter(0, () -> router.leaders().awaitAnother(targetId, delay));
            return;
        }
        retryAfter(delay, op.targetsLeader() ? () -> router.leaders().onFailure(targetId)
                : router.directory().unmappedSeeds().isEmpty() ? RetryingCall::ready : router.leaders()::refresh);
    }

    private static CompletableFuture<Void> ready() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Attempts again once {@code delayNanos} passed and the future {@code beforeAttempt} then returns completed,
     * but no later than the deadline (where the attempt gives up).
     */
    private void retryAfter(long delayNanos, Supplier<CompletableFuture<Void>> beforeAttempt) {
        ScheduledFuture<?> scheduled = router.schedule(() -> {
            CompletableFuture<Void> ready = beforeAttempt.get();
            if (ready.isDone()) {
                attempt();
                return;
            }
            AtomicBoolean fired = new AtomicBoolean();
            ScheduledFuture<?> atDeadline = router.schedule(() -> {
                if (fired.compareAndSet(false, true)) {
                    attempt();
                }
            }, deadlineNanos - System.nanoTime());
            ready.whenComplete((v, e) -> {
                if (fired.compareAndSet(false, true)) {
                    if (atDeadline != null) {
                        atDeadline.cancel(false);
                    }
                    attempt();
                }
            });
        }, delayNanos);
        if (scheduled == null) {
            result.completeExceptionally(closingError());
        }
    }

    private void giveUp() {
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        String sent = attempts > 0 ? attempts + " RPC attempt(s)"
                : op.targetsLeader() ? "no leader found to send it to" : "not sent";
        DLedgerException error = lastError == null ? Errors.deadlineBeforeFirstAttempt(op.name())
                : Errors.withContext(lastError, op.name() + " gave up after " + elapsedMs + " ms (" + sent
                        + "), last error");
        if (uncertainAttempt) {
            error = error.afterUncertainAttempt(); // the last error may not say that an earlier attempt may have run
        }
        LOG.debug("{}", error.getMessage());
        result.completeExceptionally(error);
    }
}
