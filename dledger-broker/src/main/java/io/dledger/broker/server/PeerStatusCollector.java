package io.dledger.broker.server;

import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.config.PeerSpec;
import io.dledger.proto.AdminServiceGrpc;
import io.dledger.proto.ClusterStatus;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.NodeStatusRequest;
import io.dledger.proto.Role;
import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Gathers every peer's {@link NodeStatus} over gRPC (in parallel, one second each) for the
 * DescribeCluster call and the leader's {@link FollowerDisks}. Keeps one channel per peer. Thread-safe; once closed,
 * every peer answers as unreachable.
 */
final class PeerStatusCollector implements AutoCloseable {
    private final NodeConfig config;
    private final ChannelCredentials credentials;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private boolean closed; // guarded by this

    PeerStatusCollector(NodeConfig config) {
        this.config = config;
        this.credentials = GrpcCredentials.channel(config.grpcTls());
    }

    CompletableFuture<ClusterStatus> collect(NodeStatus self, List<PeerSpec> peers) {
        List<CompletableFuture<NodeStatus>> futures = new ArrayList<>();
        for (PeerSpec p : peers) {
            futures.add(p.id().equals(config.nodeId()) ? CompletableFuture.completedFuture(self) : ask(p));
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).thenApply(v -> {
            ClusterStatus.Builder b = ClusterStatus.newBuilder().setAnsweredBy(config.nodeId()).setTerm(self.getTerm());
            if (self.hasLeader()) {
                b.setLeader(self.getLeader());
            }
            futures.forEach(f -> b.addNodes(f.join()));
            return b.build();
        });
    }

    /** {@code p}'s status; role {@code UNREACHABLE}, with only {@code self} set, when it does not answer in time. */
    CompletableFuture<NodeStatus> ask(PeerSpec p) {
        ManagedChannel ch;
        synchronized (this) { // no channel is made once close() began
            if (closed) {
                return CompletableFuture.completedFuture(unreachable(p));
            }
            ch = channels.computeIfAbsent(p.id(), id -> NettyChannelBuilder.forTarget(p.grpcAddress(), credentials)
                    .build());
        }
        if (ch.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            ch.resetConnectBackoff(); // a peer that was down is asked now, not after gRPC's reconnect backoff
        }
        CompletableFuture<NodeStatus> f = new CompletableFuture<>();
        AdminServiceGrpc.AdminServiceStub stub = AdminServiceGrpc.newStub(ch).withDeadlineAfter(1, TimeUnit.SECONDS);
        if (config.authTokens() != null) {
            stub = stub.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(
                    TokenAuthInterceptor.header(config.authTokens())));
        }
        stub.getNodeStatus(
                NodeStatusRequest.getDefaultInstance(), new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(NodeStatus s) {
                        f.complete(s);
                    }

                    @Override
                    public void onError(Throwable t) {
                        f.complete(unreachable(p));
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        return f;
    }

    private static NodeStatus unreachable(PeerSpec p) {
        return NodeStatus.newBuilder().setSelf(RpcErrors.nodeRef(p)).setRole(Role.UNREACHABLE).build();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        channels.values().forEach(ManagedChannel::shutdownNow);
    }
}
