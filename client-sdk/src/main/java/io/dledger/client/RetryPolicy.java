package io.dledger.client;

import io.grpc.Status;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The one place that decides whether and how a failed attempt is retried, and how long to back off.
 *
 * <ul>
 *   <li>{@code NOT_LEADER} with a usable leader hint: {@link Decision#REDIRECT} to the hinted node at once.</li>
 *   <li>Errors that cannot change by retrying ({@code INVALID_ARGUMENT}, {@code NOT_FOUND}, {@code OUT_OF_RANGE},
 *       {@code ALREADY_EXISTS}, {@code SEQUENCE_TOO_OLD}, message too large, {@code STORAGE_FULL} (a full disk
 *       is not freed within a deadline), internal errors, ...): {@link
 *       Decision#FAIL}.</li>
 *   <li>Transient errors ({@code NOT_LEADER} without hint, {@code UNAVAILABLE}, {@code RESOURCE_EXHAUSTED}/BUSY,
 *       {@code DEADLINE_EXCEEDED} of one attempt, {@code OUTCOME_UNKNOWN}, connection failures, including a
 *       connection that broke during the call, which {@link Errors#from} reads as {@code UNAVAILABLE}): {@link
 *       Decision#RETRY} after backoff (and leader rediscovery for leader-bound operations) when the operation is
 *       idempotent; a non-idempotent operation is retried only when the error proves it was not executed
 *       ({@code NOT_LEADER} or {@code BUSY} rejections, connection refused before sending).</li>
 * </ul>
 *
 * <p>Backoff is bounded exponential with "equal jitter": step {@code n} waits between half and all of
 * {@code min(CAP, BASE * 2^n)}.
 *
 * <p>Stateless and thread-safe.
 */
final class RetryPolicy {

    /** What to do after a failed attempt. */
    enum Decision {
        /** Retry at once on the node named by the leader hint. */
        REDIRECT,
        /** Back off (re-discovering the leader for leader-bound operations) and retry. */
        RETRY,
        /** Give up with this error. */
        FAIL
    }

    static final long BASE_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private RetryPolicy() {
    }

    /**
     * Decides what to do after {@code error}.
     *
     * @param idempotent   whether re-executing the operation is harmless
     * @param targetsLeader whether the operation goes to the leader (only then is a leader hint followed)
     */
    static Decision decide(DLedgerException error, boolean idempotent, boolean targetsLeader) {
        if (error.typedCode() == ErrorCode.NOT_LEADER && !targetsLeader) {
            return Decision.FAIL; // the caller chose the node; do not silently go elsewhere
        }
        if (error.typedCode() == ErrorCode.NOT_LEADER && error.leaderHint().isPresent()) {
            return Decision.REDIRECT;
        }
        if (!error.retryable()) {
            return Decision.FAIL;
        }
        return idempotent || provesNotExecuted(error) ? Decision.RETRY : Decision.FAIL;
    }

    /**
     * Whether retrying could succeed, for an idempotent operation.
     *
     * @param typedCode the broker's (or client's) typed code, or {@code null} when there was none
     * @param grpcCode  the gRPC status code
     */
    static boolean isRetryable(ErrorCode typedCode, Status.Code grpcCode) {
        if (typedCode != null && typedCode != ErrorCode.ERROR_UNSPECIFIED) {
            return switch (typedCode) {
                case NOT_LEADER, OUTCOME_UNKNOWN, BUSY, NODE_UNAVAILABLE, TIMEOUT -> true;
                default -> false;
            };
        }
        // No typed code: a transport or gRPC-level failure. A bare RESOURCE_EXHAUSTED comes from gRPC's message
        // size limits (the broker always sends BUSY with its own), so retrying would not help.
        return switch (grpcCode) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, ABORTED -> true;
            default -> false;
        };
    }

    /**
     * Whether {@code error} says the leader-bound call found no leader there: the node could not be reached (a
     * transport {@code UNAVAILABLE}, no broker code), or it no longer leads and names no other. A node that
     * answered with anything else ({@code BUSY}, a timeout, its own {@code NODE_UNAVAILABLE}) is alive.
     */
    static boolean leaderLost(DLedgerException error) {
        ErrorCode typed = error.typedCode();
        if (typed == ErrorCode.NOT_LEADER) {
            return error.leaderHint().isEmpty();
        }
        return typed == null && error.grpcCode() == Status.Code.UNAVAILABLE;
    }

    /** Whether {@code error} proves the server did not execute the request. */
    static boolean provesNotExecuted(DLedgerException error) {
        ErrorCode typed = error.typedCode();
        if (typed == ErrorCode.NOT_LEADER || typed == ErrorCode.BUSY) {
            return true;
        }
        return error.grpcCode() == Status.Code.UNAVAILABLE && causedByConnectFailure(error);
    }

    /**
     * Whether {@code error} is a call that broke without the broker's answer in a way retrying is not chosen for (an
     * HTTP/2 stream reset, a protocol error, a proxy's failure: {@code INTERNAL} or {@code UNKNOWN} with no typed
     * code), which may come after the node carried the request out. Not a server that is no gRPC server at all.
     */
    static boolean brokenAfterSending(DLedgerException error) {
        return !error.fromBroker() && error.typedCode() == null && error.code() == ErrorCode.INTERNAL
                && !Errors.notGrpcPort(error);
    }

    /** Whether {@code error} is a connection that could not be made (refused, or an unknown host). */
    static boolean cannotConnect(DLedgerException error) {
        return error.grpcCode() == Status.Code.UNAVAILABLE && causedByConnectFailure(error);
    }

    private static boolean causedByConnectFailure(Throwable t) {
        return Errors.cause(t, ConnectException.class, UnknownHostException.class,
                UnresolvedAddressException.class) != null;
    }

    /** Backoff before retry number {@code step} (0 for the first backoff), jittered, in nanoseconds. */
    static long backoffNanos(int step) {
        long ceiling = BASE_BACKOFF_NANOS << Math.min(step, 20);
        ceiling = Math.min(MAX_BACKOFF_NANOS, ceiling);
        long half = ceiling / 2;
        return half + ThreadLocalRandom.current().nextLong(half + 1);
    }
}
