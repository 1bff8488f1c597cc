package io.dledger.broker.server;

import io.dledger.broker.config.AuthTokens;
import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.PeerSpec;
import io.dledger.proto.AdminServiceGrpc;
import io.dledger.proto.ClusterStatus;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.NodeStatusRequest;
import io.dledger.proto.Role;
import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers every peer's {@link NodeStatus} over gRPC (in parallel, one second each) for the
 * DescribeCluster call and the leader's {@link FollowerDisks}. Keeps one channel per peer, over TLS when the node
 * serves it, and presents the node's tokens, the next one to a peer that refused the last. Thread-safe; once closed,
 * every peer answers as unreachable.
 */
final class PeerStatusCollector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerStatusCollector.class);
    private final String nodeId;
    private final ChannelCredentials credentials;
    private final Supplier<AuthTokens> tokens; // null inside: no tokens
    /** Per peer id, the token (its index) to present next. */
    private final Map<String, Integer> tokenFor = new ConcurrentHashMap<>();
    /** Peers whose last answer refused our token (their refusal was logged). */
    private final java.util.Set<String> refusing = ConcurrentHashMap.newKeySet();
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private boolean closed; // guarded by this

    /**
     * The collector of node {@code nodeId}, calling over {@code credentials} and presenting {@code tokens}' current
     * tokens (none while it gives null).
     */
    PeerStatusCollector(String nodeId, ChannelCredentials credentials, Supplier<AuthTokens> tokens) {
        this.nodeId = nodeId;
        this.credentials = credentials;
        this.tokens = tokens;
    }

    CompletableFuture<ClusterStatus> collect(NodeStatus self, List<PeerSpec> peers) {
        List<CompletableFuture<NodeStatus>> futures = new ArrayList<>();
        for (PeerSpec p : peers) {
            futures.add(p.id().equals(nodeId) ? CompletableFuture.completedFuture(self) : ask(p));
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).thenApply(v -> {
            ClusterStatus.Builder b = ClusterStatus.newBuilder().setAnsweredBy(nodeId).setTerm(self.getTerm());
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
        AuthTokens own = tokens.get();
        int token = own == null ? 0 : tokenFor.getOrDefault(p.id(), 0) % own.size(); // the file may have shrunk
        if (own != null) {
            stub = stub.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(
                    TokenAuthInterceptor.header(own, token)));
        }
        stub.getNodeStatus(
                NodeStatusRequest.getDefaultInstance(), new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(NodeStatus s) {
                        refusing.remove(p.id());
                        f.complete(s);
                    }

                    @Override
                    public void onError(Throwable t) {
                        if (own != null && Status.fromThrowable(t).getCode() == Status.Code.UNAUTHENTICATED) {
                            refused(p, token, own.size());
                        }
                        f.complete(unreachable(p));
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        return f;
    }

    /**
     * {@code p} refused token {@code token}: the next call presents the next one (while tokens are being replaced,
     * nodes accept different sets for a while). Logged once until {@code p} answers again.
     */
    private void refused(PeerSpec p, int token, int tokens) {
        tokenFor.put(p.id(), (token + 1) % tokens);
        if (refusing.add(p.id())) {
            LOG.warn("node {} refused this node's token {} of {} ({}): {}", p.id(), token + 1, tokens,
                    ConfigKey.GRPC_AUTH_TOKENS_FILE.key(), tokens > 1 ? "trying the next one"
                            : "its status stays unknown until the nodes share a token");
        }
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
