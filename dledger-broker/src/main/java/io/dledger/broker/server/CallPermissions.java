package io.dledger.broker.server;

import io.dledger.broker.config.TokenRole;
import io.dledger.proto.AdminServiceGrpc;
import io.dledger.proto.ConsumerServiceGrpc;
import io.dledger.proto.MessagingServiceGrpc;
import io.grpc.MethodDescriptor;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@link TokenRole} each gRPC call needs: reading (pulls, offsets for a time, descriptions, status, and what a
 * consumer group's members do: heartbeats, commits, fetching offsets, leaving) needs {@code read}; producing needs
 * {@code write}; everything else (queue digests too: they read every retained message), and any call this list does
 * not name (a call added later), needs {@code admin}. A commit without a member id, an operator's, needs
 * {@code admin} as well ({@code ConsumerServiceImpl}, which sees the request). Stateless and thread-safe.
 */
final class CallPermissions {
    private static final Map<String, TokenRole> NEEDED = Map.copyOf(needed());

    private CallPermissions() {
    }

    private static Map<String, TokenRole> needed() {
        List<MethodDescriptor<?, ?>> reads = List.of(MessagingServiceGrpc.getPullMethod(),
                MessagingServiceGrpc.getOffsetsForTimeMethod(), AdminServiceGrpc.getDescribeTopicMethod(),
                AdminServiceGrpc.getListTopicsMethod(), AdminServiceGrpc.getGetNodeStatusMethod(),
                AdminServiceGrpc.getDescribeClusterMethod(), ConsumerServiceGrpc.getCommitOffsetsMethod(),
                ConsumerServiceGrpc.getFetchOffsetsMethod(),
                ConsumerServiceGrpc.getHeartbeatMethod(), ConsumerServiceGrpc.getLeaveGroupMethod(),
                ConsumerServiceGrpc.getDescribeGroupMethod(), ConsumerServiceGrpc.getListGroupsMethod());
        Map<String, TokenRole> m = reads.stream().collect(Collectors.toMap(MethodDescriptor::getFullMethodName,
                x -> TokenRole.READ));
        m.put(MessagingServiceGrpc.getProduceMethod().getFullMethodName(), TokenRole.WRITE);
        return m;
    }

    /** The role a call of {@code fullMethodName} ({@code dledger.v1.MessagingService/Produce}) needs. */
    static TokenRole needed(String fullMethodName) {
        return NEEDED.getOrDefault(fullMethodName, TokenRole.ADMIN);
    }
}
