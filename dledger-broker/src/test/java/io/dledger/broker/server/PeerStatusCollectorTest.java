package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dledger.broker.config.AuthTokens;
import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.config.NodeConfigLoader;
import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.security.NodeCredentials;
import io.dledger.proto.AdminServiceGrpc;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.NodeStatusRequest;
import io.dledger.proto.Role;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class PeerStatusCollectorTest {
    @TempDir
    Path dir;

    /**
     * While tokens are being replaced, nodes accept different sets: a peer that refuses this node's first token is
     * asked with the next one, and answers.
     */
    @Test
    void aPeerThatRefusesOneTokenIsAskedWithTheNext() throws Exception {
        Path peerTokens = Files.writeString(dir.resolve("peer-tokens"), "the-new-token-0123456789\n");
        AuthTokens accepted = AuthTokens.load(peerTokens);
        Server peer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .intercept(new TokenAuthInterceptor(() -> accepted))
                .addService(new AdminServiceGrpc.AdminServiceImplBase() {
                    @Override
                    public void getNodeStatus(NodeStatusRequest req, StreamObserver<NodeStatus> out) {
                        out.onNext(NodeStatus.newBuilder().setRole(Role.FOLLOWER).build());
                        out.onCompleted();
                    }
                }).build().start();
        Path ownTokens = Files.writeString(dir.resolve("own-tokens"),
                "the-old-token-0123456789\nthe-new-token-0123456789\n");
        Map<ConfigKey, String> flags = new EnumMap<>(ConfigKey.class);
        flags.put(ConfigKey.NODE_ID, "n1");
        flags.put(ConfigKey.PEERS, "n1=127.0.0.1:7001:9001,n2=127.0.0.1:7002:" + peer.getPort());
        flags.put(ConfigKey.GRPC_AUTH_TOKENS_FILE, ownTokens.toString());
        flags.put(ConfigKey.DATA_DIR, dir.resolve("data").toString());
        NodeConfig config = NodeConfigLoader.load(flags, Map.of(), null);
        PeerSpec n2 = config.peers().get(1);
        try (NodeCredentials credentials = NodeCredentials.load(config);
             PeerStatusCollector collector = new PeerStatusCollector(config.nodeId(), credentials.grpcChannel(),
                     credentials::tokens)) {
            assertThat(collector.ask(n2).get().getRole()).as("the old token, refused").isEqualTo(Role.UNREACHABLE);
            // a busy machine may let a call run past its 1 s deadline, which changes no token: ask until answered
            await("the new token").atMost(Duration.ofSeconds(15))
                    .until(() -> collector.ask(n2).get().getRole() == Role.FOLLOWER);
            assertThat(collector.ask(n2).get().getRole()).as("kept").isEqualTo(Role.FOLLOWER);
        } finally {
            peer.shutdownNow();
        }
    }
}
