package io.dledger.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

/**
 * One unary RPC to run through the {@link ClusterRouter}: which method with which request, to which node, and
 * what running it does ({@link Effect}: whether re-executing it is harmless). The request is built once and re-sent
 * unchanged on every attempt.
 *
 * <p>Attempts are started the way the generated asynchronous stubs start them
 * ({@link ClientCalls#asyncUnaryCall}), with per-attempt {@link CallOptions} (deadline, inbound size limit).
 *
 * <p>Immutable and thread-safe (the request is an immutable protobuf message).
 *
 * @param name       short name for logs and error messages
 * @param nodeId     id of the node to call, or {@code null} for the current leader
 * @param effect     what running the request does to the cluster
 * @param method     the gRPC method
 * @param request    the request, identical on every attempt
 * @param serverWaitNanos how long the server may hold the call on purpose (long polling), added to each
 *                   attempt's timeout
 * @param waitPastDeadline whether an attempt started before the operation's deadline may be held that long past it
 *                   (the deadline then bounds finding a leader and retrying, not the server's work on the request)
 * @param failWhenRefused whether a named node that refuses the connection (nothing listens: its process is gone)
 *                   ends the operation at once instead of being tried again until the deadline, for callers that
 *                   have somewhere else to go (a consumer pulls from the leader instead)
 * @param <Q>        request type
 * @param <R>        response type
 */
record Operation<Q, R>(String name, String nodeId, Effect effect, MethodDescriptor<Q, R> method, Q request,
        long serverWaitNanos, boolean waitPastDeadline, boolean failWhenRefused) {

    /** What running an operation does, which decides how it may be retried and how a close reports it. */
    enum Effect {
        /** Changes nothing: repeating it is harmless, and one cut short by a close was surely not carried out. */
        READ,
        /** Changes state, but running it twice is the same as once (see {@link RetryPolicy}). */
        IDEMPOTENT_WRITE,
        /** Changes state, and a repeat could change it again: retried only when it surely did not run. */
        WRITE
    }

    /** An operation for the current leader. */
    static <Q, R> Operation<Q, R> toLeader(String name, Effect effect, MethodDescriptor<Q, R> method, Q request) {
        return new Operation<>(name, null, effect, method, request, 0, false, false);
    }

    /** An operation for node {@code nodeId}, or for the leader when {@code nodeId} is {@code null}. */
    static <Q, R> Operation<Q, R> toNode(String name, String nodeId, Effect effect, MethodDescriptor<Q, R> method,
            Q request) {
        return new Operation<>(name, nodeId, effect, method, request, 0, false, false);
    }

    /** A copy whose attempts allow the server to hold the call for {@code nanos} more. */
    Operation<Q, R> withServerWait(long nanos) {
        return new Operation<>(name, nodeId, effect, method, request, nanos, false, failWhenRefused);
    }

    /**
     * A copy whose attempts allow the server to work on the request for {@code nanos} more, also past the operation's
     * deadline (a membership change waits on the server for a new node to catch up, a transfer for an election): the
     * deadline then bounds how long the client looks for a leader and retries.
     */
    Operation<Q, R> withServerWaitPastDeadline(long nanos) {
        return new Operation<>(name, nodeId, effect, method, request, nanos, true, failWhenRefused);
    }

    /** A copy that ends at once when its named node refuses the connection (see {@code failWhenRefused}). */
    Operation<Q, R> failingWhenRefused() {
        return new Operation<>(name, nodeId, effect, method, request, serverWaitNanos, waitPastDeadline, true);
    }

    /** Whether executing the request twice is harmless (see {@link RetryPolicy}). */
    boolean idempotent() {
        return effect != Effect.WRITE;
    }

    boolean targetsLeader() {
        return nodeId == null;
    }

    /** Starts one attempt on {@code channel}. */
    void start(Channel channel, CallOptions options, StreamObserver<R> observer) {
        ClientCalls.asyncUnaryCall(channel.newCall(method, options), request, observer);
    }
}
