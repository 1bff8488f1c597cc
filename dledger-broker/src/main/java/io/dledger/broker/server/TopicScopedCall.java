package io.dledger.broker.server;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.TopicScope;
import io.dledger.proto.AdminServiceGrpc;
import io.dledger.proto.ConsumerServiceGrpc;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.ListGroupsResponse;
import io.dledger.proto.ListTopicsResponse;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.PrototypeMarshaller;
import io.grpc.ServerCall;
import io.grpc.StatusRuntimeException;
import java.util.Set;
import java.util.function.Function;

/**
 * Holds a call made with a token of a limited {@link TopicScope} to that scope. A request with a {@code topic} field
 * (every call about a topic or a group's offsets on one) is served only when the scope holds that topic (an empty one
 * only for ListGroups, where it means every topic), refused otherwise with {@code PERMISSION_DENIED} before the
 * handler sees it; the answers of the two listing calls are cut to the scope's topics; status calls, which show the
 * cluster and no topic, pass; every other call without a topic (leadership, members, snapshots) is cluster-wide and
 * refused, and so is any streaming call (only unary calls have one request to check). Calls with a token of every
 * topic do not come here. Thread-safe: a call's messages arrive one at a time, as gRPC delivers them.
 */
final class TopicScopedCall {
    /** Calls without a topic a scoped token may make: they show the cluster, or list what the answer is cut to. */
    private static final Set<String> UNSCOPED = Set.of(AdminServiceGrpc.getGetNodeStatusMethod().getFullMethodName(),
            AdminServiceGrpc.getDescribeClusterMethod().getFullMethodName(),
            AdminServiceGrpc.getListTopicsMethod().getFullMethodName());
    /** The one call whose empty topic means every topic (its answer is cut); to any other an empty one is invalid. */
    private static final String LIST_GROUPS = ConsumerServiceGrpc.getListGroupsMethod().getFullMethodName();

    private TopicScopedCall() {
    }

    /**
     * The listener of {@code call} under {@code scope}: {@code start} starts the handler with the call it should
     * answer on. A cluster-wide call is closed at once, and {@code start} not run.
     */
    static <Q, R> ServerCall.Listener<Q> start(TopicScope scope, ServerCall<Q, R> call,
                                               Function<ServerCall<Q, R>, ServerCall.Listener<Q>> start) {
        String method = call.getMethodDescriptor().getFullMethodName();
        // every call of the API is unary today; a streaming one added later is refused until it is checked here
        if (call.getMethodDescriptor().getType() != MethodDescriptor.MethodType.UNARY) {
            return closed(call, refusal(scope, shortName(method) + ", a streaming call"));
        }
        FieldDescriptor topicField = topicField(call); // null: the request has no topic
        if (!UNSCOPED.contains(method) && topicField == null) {
            return closed(call, refusal(scope, shortName(method) + ", which is about the whole cluster, not a topic"));
        }
        boolean emptyIsEvery = method.equals(LIST_GROUPS);
        ServerCall.Listener<Q> handler = start.apply(new SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(R answer) {
                super.sendMessage(cut(answer, scope));
            }
        });
        return new SimpleForwardingServerCallListener<>(handler) {
            private boolean refused;

            @Override
            public void onMessage(Q request) {
                if (refused) {
                    return;
                }
                String topic = topicField != null && request instanceof Message m ? (String) m.getField(topicField)
                        : "";
                if (scope.allows(topic) || topic.isEmpty() && (emptyIsEvery || topicField == null)) {
                    super.onMessage(request);
                } else {
                    refused = true;
                    closed(call, refusal(scope, shortName(method) + (topic.isEmpty() ? " without a topic"
                            : " on topic '" + topic + "'")));
                }
            }

            @Override
            public void onHalfClose() {
                if (!refused) { // the handler got no request: it must not answer a closed call
                    super.onHalfClose();
                }
            }
        };
    }

    /** The single string {@code topic} field of the call's requests, or null when they have none. */
    private static FieldDescriptor topicField(ServerCall<?, ?> call) {
        if (call.getMethodDescriptor().getRequestMarshaller() instanceof PrototypeMarshaller<?> p
                && p.getMessagePrototype() instanceof Message m) {
            FieldDescriptor f = m.getDescriptorForType().findFieldByName("topic");
            return f != null && f.getType() == FieldDescriptor.Type.STRING && !f.isRepeated() ? f : null;
        }
        return null;
    }

    /** A listing answer cut to the topics of {@code scope}; any other answer as it is. */
    @SuppressWarnings("unchecked")
    private static <R> R cut(R answer, TopicScope scope) {
        if (answer instanceof ListTopicsResponse r) {
            return (R) r.toBuilder().clearTopics().addAllTopics(r.getTopicsList().stream()
                    .filter(t -> scope.allows(t.getTopic())).toList()).build();
        }
        if (answer instanceof ListGroupsResponse r) {
            return (R) r.toBuilder().clearGroups().addAllGroups(r.getGroupsList().stream()
                    .filter(g -> scope.allows(g.getTopic())).toList()).build();
        }
        return answer;
    }

    private static StatusRuntimeException refusal(TopicScope scope, String what) {
        return RpcErrors.error(ErrorCode.PERMISSION_DENIED, "the call's token may touch only " + scope + " ("
                + ConfigKey.GRPC_AUTH_TOKENS_FILE.key() + "), not " + what);
    }

    /** Closes {@code call} with {@code error}; the listener of a call no handler will see. */
    static <Q> ServerCall.Listener<Q> closed(ServerCall<Q, ?> call, StatusRuntimeException error) {
        call.close(error.getStatus(), error.getTrailers());
        return new ServerCall.Listener<>() {
        };
    }

    /** {@code MessagingService/Produce} of {@code dledger.v1.MessagingService/Produce}. */
    static String shortName(String method) {
        return method.substring(method.lastIndexOf('.') + 1);
    }
}
