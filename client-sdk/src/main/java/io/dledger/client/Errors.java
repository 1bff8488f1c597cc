package io.dledger.client;

import io.dledger.proto.ErrorDetail;
import io.grpc.Metadata;
import io.grpc.Status;
import java.nio.channels.ClosedChannelException;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * Turns gRPC failures into {@link DLedgerException}s (reading the {@code dledger-error-bin} trailer), builds the
 * client's own errors, and waits for futures on behalf of the synchronous API.
 *
 * <p>Stateless and thread-safe.
 */
final class Errors {

    /** The binary trailer every failed broker call carries. */
    static final Metadata.Key<ErrorDetail> ERROR_DETAIL_KEY =
            Metadata.Key.of("dledger-error-bin", ProtoUtils.metadataMarshaller(ErrorDetail.getDefaultInstance()));

    private Errors() {
    }

    /** The {@link DLedgerException} that describes {@code failure} (unwrapping completion wrappers). */
    static DLedgerException from(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof DLedgerException d) {
            return d;
        }
        if (!(t instanceof StatusRuntimeException) && !(t instanceof StatusException)) {
            return new DLedgerException(ErrorCode.INTERNAL, Status.Code.INTERNAL,
                    "unexpected client failure: " + t, null, true, false, t);
        }
        Status status = normalized(Status.fromThrowable(t));
        Metadata trailers = Status.trailersFromThrowable(t);
        ErrorDetail detail = readDetail(trailers);
        ErrorCode sent = detail == null ? ErrorCode.ERROR_UNSPECIFIED : ErrorCode.of(detail.getCode());
        boolean typed = sent != ErrorCode.ERROR_UNSPECIFIED;
        String refused = connectFailure(status);
        String notGrpc = notGrpcPort(status);
        String tls = tlsFailure(status);
        String message = detail != null && !detail.getMessage().isEmpty() ? detail.getMessage()
                : status.getCode() == Status.Code.DEADLINE_EXCEEDED ? noAnswer(status.getDescription())
                : refused != null ? "cannot connect: " + refused
                : notGrpc != null ? notGrpc
                : tls != null ? tls
                : status.getCode() == Status.Code.UNIMPLEMENTED ? "the node does not know this call ("
                        + status.getDescription() + "): it runs an older version than this client; upgrade it"
                : status.getDescription() != null ? status.getDescription() : status.getCode().name();
        ErrorCode code = typed ? sent : derivedCode(status);
        if (code == ErrorCode.BATCH_TOO_LARGE && !typed) {
            message = "over gRPC's message size limit, unread (" + message + "): a node accepts messages up to its "
                    + "message.max.bytes and requests up to its batch.max.bytes";
        }
        return new DLedgerException(code, status.getCode(), message, detail, typed, null, t);
    }

    /**
     * gRPC's Netty transport reports a write on a channel that just closed (the node died during the call) as
     * {@code UNKNOWN "channel closed"} with a {@link ClosedChannelException} as cause, where the same failure with
     * a known reason is {@code UNAVAILABLE}: the client treats both as {@code UNAVAILABLE}, so the retry policy sees
     * a node that went away with the outcome unknown (only idempotent operations retry). A server never sends a
     * cause, so no server error is changed.
     */
    private static Status normalized(Status status) {
        return status.getCode() == Status.Code.UNKNOWN && status.getCause() instanceof ClosedChannelException
                ? Status.UNAVAILABLE.withDescription(status.getDescription()).withCause(status.getCause()) : status;
    }

    private static final java.util.regex.Pattern AFTER_SECONDS =
            java.util.regex.Pattern.compile("after (\\d+(\\.\\d+)?)s");

    /**
     * A request deadline that passed, in words: gRPC's own description lists transport internals (name
     * resolution delay, stream states); the exception keeps it as its cause.
     */
    private static String noAnswer(String description) {
        java.util.regex.Matcher m = AFTER_SECONDS.matcher(description == null ? "" : description);
        String within = m.find() ? " within " + Math.round(Double.parseDouble(m.group(1)) * 1000) + " ms" : "";
        return "no answer" + within + " (the node is busy or unreachable; whether the request took effect is unknown)";
    }

    /** What a failed connection attempt says (gRPC's own description is just "io exception"), or null. */
    private static String connectFailure(Status status) {
        if (status.getCode() != Status.Code.UNAVAILABLE) {
            return null;
        }
        Throwable c = cause(status.getCause(), java.net.ConnectException.class);
        if (c == null) {
            return null;
        }
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        int refused = m.indexOf("Connection refused"); // the native transport prefixes its syscall
        return refused > 0 ? m.substring(refused) : m;
    }

    /**
     * What an address that answers, but not as a gRPC server, says (a node's HTTP or Raft port given instead of its
     * gRPC port, another server), or null. Short, the advice first, as {@link #tlsFailure}.
     */
    private static String notGrpcPort(Status status) {
        String d = status.getDescription() == null ? "" : status.getDescription();
        if (status.getCode() == Status.Code.INTERNAL && cause(status.getCause(), c -> c.getMessage() != null
                && c.getMessage().startsWith("First received frame was not SETTINGS")) != null) {
            return "not a gRPC port: it answers HTTP/1 (a node's HTTP port?)";
        }
        if (d.startsWith("Failed ALPN negotiation")) {
            return "not a gRPC port: TLS without HTTP/2 (a node's HTTP or Raft port?)";
        }
        if (status.getCode() == Status.Code.UNIMPLEMENTED && d.startsWith("HTTP status code")) {
            return "not a dledger gRPC port: it answers " + d.lines().findFirst().orElse(d);
        }
        return null;
    }

    /** Whether {@code e} says its address answered, but not as a gRPC server ({@link #notGrpcPort(Status)}). */
    static boolean notGrpcPort(DLedgerException e) {
        Throwable t = e.getCause();
        return (t instanceof StatusRuntimeException || t instanceof StatusException)
                && notGrpcPort(Status.fromThrowable(t)) != null;
    }

    /** gRPC's description of a connection the other side closed before any answer. */
    static final String GRPC_NETWORK_CLOSED = "Network closed for unknown reason";

    /**
     * What a connection that failed for TLS says, or null: a handshake that failed (untrusted certificate, one that
     * does not name the host), a node that does not speak TLS to a client that does, and, as a likely cause, a
     * connection closed or lost before any answer (what a node serving TLS does to a plaintext client). Short, and the
     * advice first: {@link ClusterProbe} cuts each node's answer at 120 characters. {@code --tls-ca} is the command
     * line's name of {@link DLedgerClient.Builder#tls}.
     */
    private static String tlsFailure(Status status) {
        // before the handshake's failures: Netty's exception for bytes that are not TLS is an SSLException too
        if (cause(status.getCause(), c -> c.getClass().getSimpleName().equals("NotSslRecordException")) != null) {
            return "the node does not speak TLS (leave out --tls-ca, or give the nodes grpc.tls.cert; or not its gRPC "
                    + "port)";
        }
        Throwable handshake = cause(status.getCause(), javax.net.ssl.SSLException.class);
        if (handshake != null) {
            return "TLS handshake failed (trust the node's certificate with --tls-ca; it must name the host): "
                    + handshake.getMessage();
        }
        String d = status.getDescription();
        if (status.getCode() == Status.Code.UNAVAILABLE && d != null
                && d.startsWith("Connection closed while performing TLS negotiation")) {
            return "closed during the TLS handshake (the node may not speak TLS: leave out --tls-ca; or not its gRPC "
                    + "port)";
        }
        if (status.getCode() == Status.Code.UNAVAILABLE && GRPC_NETWORK_CLOSED.equals(status.getDescription())) {
            return "closed unanswered (plaintext client? the node may serve TLS: --tls-ca; or not its gRPC port)";
        }
        Throwable io = cause(status.getCause(), java.io.IOException.class);
        if (status.getCode() == Status.Code.UNAVAILABLE && "io exception".equals(status.getDescription())
                && io != null && !(io instanceof java.net.ConnectException)
                && !(io instanceof ClosedChannelException)) {
            String m = io.getMessage() == null ? io.getClass().getSimpleName() : io.getMessage();
            int reset = m.indexOf("Connection reset"); // the native transport prefixes its syscall and errno
            return "connection lost (plaintext client? the node may serve TLS: --tls-ca; or not its gRPC port): "
                    + (reset > 0 ? m.substring(reset) : m);
        }
        return null;
    }

    /** The first throwable in {@code t}'s cause chain (itself included) of one of {@code types}, or null. */
    static Throwable cause(Throwable t, Class<?>... types) {
        return cause(t, c -> java.util.Arrays.stream(types).anyMatch(type -> type.isInstance(c)));
    }

    /** The first throwable in {@code t}'s cause chain (itself included) that {@code matches}, or null. */
    static Throwable cause(Throwable t, java.util.function.Predicate<Throwable> matches) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (matches.test(c)) {
                return c;
            }
        }
        return null;
    }

    /** The client's own error when no node names a reachable leader; {@code answers} says what nodes said. */
    static DLedgerException noLeader(String answers, boolean someNodeAnswered) {
        if (!someNodeAnswered) {
            return new DLedgerException(ErrorCode.NODE_UNAVAILABLE, Status.Code.UNAVAILABLE,
                    "no node answered (is the cluster running, and are the seed addresses right?); last answers: "
                            + answers, null, true, null, null);
        }
        return new DLedgerException(ErrorCode.NOT_LEADER, Status.Code.UNAVAILABLE,
                "no reachable leader is known (election in progress, or no majority reachable); last answers: "
                        + answers, null, true, null, null);
    }

    /** The client's own error for a node id it cannot map to an address. */
    static DLedgerException unknownNode(String nodeId, List<String> knownIds) {
        return new DLedgerException(ErrorCode.INVALID_ARGUMENT, Status.Code.INVALID_ARGUMENT,
                "unknown node id '" + nodeId + "' (known nodes: " + knownIds + ")", null, true, false, null);
    }

    /** The error of operations cut short because the client or a producer was closed. */
    static DLedgerException closed(String what) {
        return new DLedgerException(ErrorCode.CLIENT_CLOSED, Status.Code.CANCELLED, what + " is closed",
                null, true, false, null);
    }

    /** An operation the client was closed under while an attempt was on its way (or had failed uncertainly). */
    static DLedgerException closedInFlight(String operation) {
        return new DLedgerException(ErrorCode.OUTCOME_UNKNOWN, Status.Code.CANCELLED, operation
                + ": the client was closed while the request was on its way; it may have been carried out", null,
                true, false, null);
    }

    /** The error of an operation whose deadline passed before any attempt was made. */
    static DLedgerException deadlineBeforeFirstAttempt(String operation) {
        return new DLedgerException(ErrorCode.TIMEOUT, Status.Code.DEADLINE_EXCEEDED,
                operation + ": operation timeout elapsed before it could be sent", null, true, null, null);
    }

    /**
     * The error of {@code operation} whose response gRPC refused as larger than the client's
     * {@code maxInboundMessageBytes} ({@code limit}); {@code refused} is gRPC's error. Not retryable: the same
     * response would be refused again.
     */
    static DLedgerException responseTooLarge(DLedgerException refused, String operation, int limit) {
        return new DLedgerException(ErrorCode.LIMIT_EXCEEDED, refused.grpcCode(), operation
                + ": the response (a single message near or over the limit) is larger than this client's"
                + " maxInboundMessageBytes (" + limit + " bytes); build the client with a limit above the nodes'"
                + " message.max.bytes plus 256 KiB", null, true, false, refused);
    }

    /** The same error with more context in its message, keeping codes, detail and retryability. */
    static DLedgerException withContext(DLedgerException last, String context) {
        String original = last.getMessage();
        String prefix = DLedgerException.prefix(last.code(), last.grpcCode());
        String bare = original.startsWith(prefix) ? original.substring(prefix.length()) : original;
        return new DLedgerException(last.code(), last.grpcCode(), context + ": " + bare, last.wireDetail(),
                last.typedCode() != null, last.retryable(), last);
    }

    /** Waits for {@code future} and returns its value, or throws its failure as a {@link DLedgerException}. */
    static <T> T await(CompletableFuture<T> future) {
        return await(future, ErrorCode.ERROR_UNSPECIFIED, "interrupted while waiting");
    }

    /**
     * {@link #await} for a write: the caller's thread interrupted while the write goes on (it is not withdrawn) is told
     * the outcome is unknown ({@code OUTCOME_UNKNOWN}), not that the write failed.
     */
    static <T> T awaitWrite(CompletableFuture<T> future) {
        return await(future, ErrorCode.OUTCOME_UNKNOWN, "interrupted while waiting for the write, which goes on: it "
                + "may still be carried out");
    }

    /** Waits for {@code future}; an interrupt of the waiting thread fails with {@code code} and {@code message}. */
    private static <T> T await(CompletableFuture<T> future, ErrorCode code, String message) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DLedgerException(code, Status.Code.CANCELLED, message, null, false, false, e);
        } catch (ExecutionException | CompletionException | CancellationException e) {
            throw from(e);
        }
    }

    /**
     * {@code future} mapped by {@code fn}, failing with a plain {@link DLedgerException} (not wrapped in a
     * {@link CompletionException}, as {@link CompletableFuture#thenApply} would do for dependents) when
     * {@code future} or {@code fn} fails.
     */
    static <T, U> CompletableFuture<U> map(CompletableFuture<T> future, Function<? super T, ? extends U> fn) {
        CompletableFuture<U> out = new CompletableFuture<>();
        future.whenComplete((value, error) -> {
            if (error != null) {
                out.completeExceptionally(from(error));
                return;
            }
            try {
                out.complete(fn.apply(value));
            } catch (RuntimeException e) {
                out.completeExceptionally(from(e));
            }
        });
        return out;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof CancellationException) {
            return new DLedgerException(ErrorCode.ERROR_UNSPECIFIED, Status.Code.CANCELLED, "cancelled", null,
                    false, false, c);
        }
        return c;
    }

    private static ErrorDetail readDetail(Metadata trailers) {
        if (trailers == null) {
            return null;
        }
        try {
            return trailers.get(ERROR_DETAIL_KEY);
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    private static ErrorCode derivedCode(Status status) {
        return switch (status.getCode()) {
            // gRPC's own size limit: the node refuses a request far over batch.max.bytes before reading it
            case RESOURCE_EXHAUSTED -> status.getDescription() != null
                    && status.getDescription().contains("exceeds maximum size") ? ErrorCode.BATCH_TOO_LARGE
                    : ErrorCode.ERROR_UNSPECIFIED;
            case UNAVAILABLE, CANCELLED -> ErrorCode.NODE_UNAVAILABLE;
            case DEADLINE_EXCEEDED -> ErrorCode.TIMEOUT;
            case INVALID_ARGUMENT -> ErrorCode.INVALID_ARGUMENT;
            case INTERNAL, UNKNOWN, DATA_LOSS -> ErrorCode.INTERNAL;
            default -> ErrorCode.ERROR_UNSPECIFIED;
        };
    }
}
