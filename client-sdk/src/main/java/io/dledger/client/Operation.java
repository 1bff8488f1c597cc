package io.dledger.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

/**
 * One unary RPC to run through the {@link ClusterRouter}: which method with which request, to which node, and
 * whether re-executing it is harmless. The request is built once and re-sent unchanged on every attempt.
 *
 * <p>Attempts are started the way the generated asynchronous stubs start them
 * ({@link ClientCalls#asyncUnaryCall}), with per-attempt {@link CallOptions} (deadline, inbound size limit).
 *
 * <p>Immutable and thread-safe (the request is an immutable protobuf message).
 *
 * @param name       short name for logs and error messages
 * @param nodeId     id of the node to call, or {@code null} for the current leader
 * @param idempotent whether executing the request twice is harmless (see {@link RetryPolicy})
 * @param method     the gRPC method
 * @param request    the request, identical on every attempt
 * @param serverWaitNanos how long the server may hold the call on purpose (long polling), added to each
 *                   attempt's timeout
 * @param <Q>        request type
 * @param <R>        response type
 */
record Operation<Q, R>(String name, String nodeId, boolean idempotent, MethodDescriptor<Q, R> method, Q request,
        long serverWaitNanos) {

    /** An operation for the current leader. */
    static <Q, R> Operation<Q, R> toLeader(String name, boolean idempotent, MethodDescriptor<Q, R> method,
            Q request) {
        return new Operation<>(name, null, idempotent, method, request, 0);
    }

    /** An operation for node {@code nodeId}, or for the leader when {@code nodeId} is {@code null}. */
    static <Q, R> Operation<Q, R> toNode(String name, String nodeId, boolean idempotent,
            MethodDescriptor<Q, R> method, Q request) {
        return new Operation<>(name, nodeId, idempotent, method, request, 0);
    }

    /** A copy whose attempts allow the server to hold the call for {@code nanos} more. */
    Operation<Q, R> withServerWait(long nanos) {
        return new Operation<>(name, nodeId, idempotent, method, request, nanos);
    }

    boolean targetsLeader() {
        return nodeId == null;
    }

    /** Starts one attempt on {@code channel}. */
    void start(Channel channel, CallOptions options, StreamObserver<R> observer) {
        ClientCalls.asyncUnaryCall(channel.newCall(method, options), request, observer);
    }
}
