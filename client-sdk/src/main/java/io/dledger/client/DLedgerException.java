package io.dledger.client;

import io.dledger.proto.ErrorDetail;
import io.dledger.proto.NodeRef;
import io.grpc.Status;
import java.util.Optional;

/**
 * Every failure of a client operation.
 *
 * <p>{@link #code()} is the typed broker error code from the {@code dledger-error-bin} trailer when the broker sent
 * one. When the failure came from the transport or the client itself it is derived from the gRPC code:
 * {@code UNAVAILABLE}/{@code CANCELLED} give {@link ErrorCode#NODE_UNAVAILABLE}, {@code DEADLINE_EXCEEDED} gives
 * {@link ErrorCode#TIMEOUT}, {@code INVALID_ARGUMENT} gives {@link ErrorCode#INVALID_ARGUMENT},
 * {@code INTERNAL}/{@code UNKNOWN}/{@code DATA_LOSS} give {@link ErrorCode#INTERNAL}, {@code RESOURCE_EXHAUSTED}
 * from gRPC's message size limit ("exceeds maximum size": the node refused a request far over its
 * {@code batch.max.bytes} unread) gives {@link ErrorCode#BATCH_TOO_LARGE}, anything else
 * {@link ErrorCode#ERROR_UNSPECIFIED}. A pull whose response is larger than the client's own limit fails with
 * {@link ErrorCode#LIMIT_EXCEEDED} instead (see {@link DLedgerClient.Builder#maxInboundMessageBytes}); another call's
 * response over it is reported as {@code BATCH_TOO_LARGE} (no other call's response comes near the default limit,
 * 64 MiB). An {@code UNKNOWN} caused by a closed channel (the connection broke during the call: the node died)
 * counts as {@code UNAVAILABLE}. When no node names a leader the client fails with {@link ErrorCode#NOT_LEADER} and
 * gRPC code {@code UNAVAILABLE}, or with {@link ErrorCode#NODE_UNAVAILABLE} when no node answered at all. Closing
 * the client fails what is still running with {@link ErrorCode#CLIENT_CLOSED} (not sent) or
 * {@link ErrorCode#OUTCOME_UNKNOWN} (an attempt was on its way and may have been carried out).
 *
 * <p>When an operation gives up at its overall deadline, the exception carries the code, gRPC code and detail of
 * the last attempt's error (that error is also its cause).
 *
 * <p>{@link #retryable()} says whether the same operation might succeed if tried again later (for example after a
 * leader change); it uses the client's single retry classification.
 *
 * <p>Immutable, thread-safe.
 */
public class DLedgerException extends RuntimeException {

    private final ErrorCode code;
    private final Status.Code grpcCode;
    private final ErrorDetail detail;
    private final boolean typed;
    private final boolean retryable;
    private final boolean attemptUncertain;

    /** An error with a typed code (or {@link ErrorCode#ERROR_UNSPECIFIED}) and gRPC code. */
    DLedgerException(ErrorCode code, Status.Code grpcCode, String message) {
        this(code, grpcCode, message, null, code != ErrorCode.ERROR_UNSPECIFIED, null, null);
    }

    /**
     * Full constructor.
     *
     * @param code      the code reported by {@link #code()}
     * @param grpcCode  the gRPC status code
     * @param message   description
     * @param detail    the broker's error detail, or {@code null}
     * @param typed     whether {@code code} is a typed broker/client code rather than one derived from gRPC
     * @param retryable {@code null} to classify by the retry policy, or an explicit answer
     * @param cause     cause, or {@code null}
     */
    DLedgerException(ErrorCode code, Status.Code grpcCode, String message, ErrorDetail detail, boolean typed,
            Boolean retryable, Throwable cause) {
        super(prefix(code, grpcCode) + message, cause);
        this.code = code;
        this.grpcCode = grpcCode;
        this.detail = detail;
        this.typed = typed;
        this.retryable = retryable != null ? retryable : RetryPolicy.isRetryable(typed ? code : null, grpcCode);
        this.attemptUncertain = false;
    }

    /** How a message starts: the code, and the gRPC code when it is another name ({@code BUSY (RESOURCE_EXHAUSTED): }). */
    static String prefix(ErrorCode code, Status.Code grpcCode) {
        return code.name().equals(grpcCode.name()) ? code + ": " : code + " (" + grpcCode + "): ";
    }

    private DLedgerException(DLedgerException last, String message) {
        super(message, last);
        this.code = last.code;
        this.grpcCode = last.grpcCode;
        this.detail = last.detail;
        this.typed = last.typed;
        this.retryable = last.retryable;
        this.attemptUncertain = true;
    }

    /**
     * This error, from the last attempt of an operation, marked as ending an operation one of whose attempts (an
     * earlier one, or this one) has an unknown outcome (it may have been executed): codes, detail and retryability
     * stay, the message says so.
     */
    DLedgerException afterUncertainAttempt() {
        return attemptUncertain ? this : new DLedgerException(this, getMessage()
                + " (an attempt's outcome is unknown: the operation may have been carried out)");
    }

    /** Whether an attempt of the operation (this or an earlier one) may have run ({@link #afterUncertainAttempt}). */
    boolean attemptUncertain() {
        return attemptUncertain;
    }

    /**
     * The typed error code (see the class comment for errors that did not come from the broker).
     *
     * @return the broker's code, or one the SDK derived or set itself; never {@code null}
     */
    public ErrorCode code() {
        return code;
    }

    /**
     * The gRPC status code of the failed call.
     *
     * @return the status code of the call, or the one the client chose for its own errors (for example
     *         {@code CANCELLED} with {@link ErrorCode#CLIENT_CLOSED})
     */
    public Status.Code grpcCode() {
        return grpcCode;
    }

    /**
     * For {@link ErrorCode#NOT_LEADER}: the leader the rejecting node named, when it knew one.
     *
     * @return the named leader; empty when the broker sent no detail or the detail names no leader (neither id nor
     *         address)
     */
    public Optional<LeaderHint> leaderHint() {
        if (detail == null || !detail.hasLeader()) {
            return Optional.empty();
        }
        NodeRef leader = detail.getLeader();
        return leader.getId().isEmpty() && leader.getGrpcAddress().isEmpty() ? Optional.empty()
                : Optional.of(new LeaderHint(leader.getId(), leader.getGrpcAddress()));
    }

    /**
     * For {@link ErrorCode#OFFSET_OUT_OF_RANGE}: the offsets the queue held when the pull was refused (retention
     * may have moved its first offset past the one asked for).
     *
     * @return the queue's offsets; empty for every other code, or when the broker sent no detail
     */
    public Optional<StoredOffsets> storedOffsets() {
        return code == ErrorCode.OFFSET_OUT_OF_RANGE && detail != null
                ? Optional.of(new StoredOffsets(detail.getMinOffset(), detail.getMaxOffset())) : Optional.empty();
    }

    /** Whether the broker itself answered with this error (it sent a typed detail), not the transport or the SDK. */
    boolean fromBroker() {
        return detail != null;
    }

    /** The broker's error detail as received, or {@code null}. */
    ErrorDetail wireDetail() {
        return detail;
    }

    /**
     * The leader a node named when it refused an operation as not the leader.
     *
     * @param nodeId      the leader's node id (empty when the node only knew its address)
     * @param grpcAddress its gRPC address, host:port, as configured (empty when unknown)
     */
    public record LeaderHint(String nodeId, String grpcAddress) {
    }

    /**
     * A queue's stored offsets.
     *
     * @param minOffset smallest offset still stored
     * @param maxOffset offset one past the newest message
     */
    public record StoredOffsets(long minOffset, long maxOffset) {
    }

    /**
     * Whether trying the same operation again could succeed.
     *
     * @return {@code true} for a transient error (the codes {@link ErrorCode} lists as retried or, without a typed
     *         code, gRPC {@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED}, {@code CANCELLED} or {@code ABORTED});
     *         {@code false} otherwise, and always for failures caused by closing the client or by cancelling or
     *         interrupting the caller
     */
    public boolean retryable() {
        return retryable;
    }

    /** The code when it is a typed (broker or client) code, {@code null} when it was derived from gRPC. */
    ErrorCode typedCode() {
        return typed ? code : null;
    }
}
