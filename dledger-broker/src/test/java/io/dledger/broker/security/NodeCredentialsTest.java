package io.dledger.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.config.PemFiles;
import io.dledger.broker.config.SingleNodeConfig;
import io.dledger.proto.AdminServiceGrpc;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.NodeStatusRequest;
import io.dledger.proto.Role;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replaced credential files are taken without a restart: tokens, and the certificate the gRPC port presents (new
 * connections see the new one); files that cannot be used, or a key replaced before its certificate, leave the
 * previous credentials in place.
 */
@Timeout(30)
class NodeCredentialsTest {
    private static final Duration CHECK = Duration.ofMillis(50);
    @TempDir
    Path dir;

    private static Path resource(String name) throws Exception {
        return Path.of(NodeCredentialsTest.class.getResource("/tls/" + name).toURI());
    }

    private Path copy(String resource, String as) throws Exception {
        return Files.copy(resource(resource), dir.resolve(as), StandardCopyOption.REPLACE_EXISTING);
    }

    private NodeConfig config(Map<ConfigKey, String> settings) {
        return SingleNodeConfig.in(dir, settings);
    }

    /** Holds throughout several checks: what a refused replacement must leave in place. */
    private static void staysTrue(String what, java.util.concurrent.Callable<Boolean> condition) {
        await(what).during(Duration.ofMillis(10 * CHECK.toMillis())).atMost(Duration.ofSeconds(5))
                .pollInterval(CHECK).until(condition);
    }

    private static void becomesTrue(String what, java.util.concurrent.Callable<Boolean> condition) {
        await(what).atMost(Duration.ofSeconds(5)).pollInterval(CHECK).until(condition);
    }

    @Test
    void replacedTokensAreTakenAndAFileThatCannotBeUsedKeepsThePreviousOnes() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), "the-first-token-0123456789\n");
        try (NodeCredentials credentials = NodeCredentials.load(config(Map.of(ConfigKey.GRPC_AUTH_TOKENS_FILE,
                file.toString())))) {
            credentials.start(CHECK);
            assertThat(credentials.tokens().accepts("the-first-token-0123456789")).isTrue();

            Files.writeString(file, "# rotated\nthe-second-token-0123456789\n");
            becomesTrue("the new token", () -> credentials.tokens().accepts("the-second-token-0123456789"));
            assertThat(credentials.tokens().accepts("the-first-token-0123456789")).isFalse();

            Files.writeString(file, "short\n");
            staysTrue("the previous token kept", () -> credentials.tokens().accepts("the-second-token-0123456789"));
            Files.delete(file);
            staysTrue("kept while the file is gone", () -> credentials.tokens().accepts("the-second-token-0123456789"));
        }
    }

    @Test
    void theGrpcPortPresentsAReplacedCertificateOnNewConnections() throws Exception {
        Path cert = copy("node.pem", "cert.pem");
        Path key = copy("node.key", "cert.key");
        Path ca = copy("node.pem", "ca.pem");
        try (NodeCredentials credentials = NodeCredentials.load(config(Map.of(ConfigKey.GRPC_TLS_CERT,
                cert.toString(), ConfigKey.GRPC_TLS_KEY, key.toString(), ConfigKey.GRPC_TLS_CA, ca.toString())))) {
            Server server = statusServer(new InetSocketAddress("127.0.0.1", 0), credentials.grpcServer());
            try {
                assertThat(answers(server, "node.pem")).isTrue();
                assertThat(answers(server, "other.pem")).isFalse();

                credentials.start(CHECK);
                copy("other.pem", "cert.pem"); // the certificate first: it does not fit the key yet
                staysTrue("the previous pair kept", () -> answers(server, "node.pem"));
                copy("other.key", "cert.key");
                becomesTrue("the new pair", () -> answers(server, "other.pem"));
                assertThat(answers(server, "node.pem")).isFalse();

                Files.writeString(key, "not a key");
                staysTrue("a broken key file changes nothing", () -> answers(server, "other.pem"));
            } finally {
                server.shutdownNow();
            }
        }
    }

    /** A gRPC server on {@code address} that answers status calls. */
    private static Server statusServer(InetSocketAddress address, ServerCredentials credentials) throws Exception {
        return NettyServerBuilder.forAddress(address, credentials).addService(
                new AdminServiceGrpc.AdminServiceImplBase() {
                    @Override
                    public void getNodeStatus(NodeStatusRequest req, StreamObserver<NodeStatus> out) {
                        out.onNext(NodeStatus.newBuilder().setRole(Role.FOLLOWER).build());
                        out.onCompleted();
                    }
                }).build().start();
    }

    /** Whether a new connection that trusts only {@code trusted} gets an answer from {@code server}. */
    private static boolean answers(Server server, String trusted) throws Exception {
        return callsThrough(TlsChannelCredentials.newBuilder().trustManager(resource(trusted).toFile()).build(),
                "127.0.0.1:" + server.getPort());
    }

    /** The node's own gRPC calls check the host name: a certificate for 127.0.0.1 does not pass for 127.0.0.2. */
    @Test
    void callsToOtherNodesCheckTheHostName() throws Exception {
        NodeConfig config = config(Map.of(ConfigKey.GRPC_TLS_CERT, resource("node.pem").toString(),
                ConfigKey.GRPC_TLS_KEY, resource("node.key").toString()));
        try (NodeCredentials credentials = NodeCredentials.load(config)) {
            Server server = statusServer(new InetSocketAddress(0), credentials.grpcServer());
            try {
                assertThat(callsThrough(credentials.grpcChannel(), "127.0.0.1:" + server.getPort())).isTrue();
                assertThat(callsThrough(credentials.grpcChannel(), "127.0.0.2:" + server.getPort())).as("not named")
                        .isFalse();
            } finally {
                server.shutdownNow();
            }
        }
    }

    /** Whether a status call to {@code target} over a new connection with {@code credentials} is answered. */
    private static boolean callsThrough(ChannelCredentials credentials, String target) {
        ManagedChannel channel = NettyChannelBuilder.forTarget(target, credentials).build();
        try {
            AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getNodeStatus(NodeStatusRequest.getDefaultInstance());
            return true;
        } catch (StatusRuntimeException e) {
            return false;
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aKeyBelongsToItsOwnCertificateOnly() throws Exception {
        assertThat(PemFiles.keyMatches(PemFiles.privateKey(resource("node.key")),
                PemFiles.certificates(resource("node.pem")).get(0))).isTrue();
        assertThat(PemFiles.keyMatches(PemFiles.privateKey(resource("node.key")),
                PemFiles.certificates(resource("other.pem")).get(0))).isFalse();
    }

    @Test
    void withoutTlsAndTokensThereIsNothingToRead() {
        try (NodeCredentials credentials = NodeCredentials.load(config(Map.of()))) {
            credentials.start(CHECK);
            assertThat(credentials.tokens()).isNull();
            assertThat(credentials.raft()).isNull();
            assertThat(credentials.grpcServer()).isInstanceOf(io.grpc.InsecureServerCredentials.class);
        }
    }
}
