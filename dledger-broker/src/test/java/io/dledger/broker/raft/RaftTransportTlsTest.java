package io.dledger.broker.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.alipay.remoting.BizContext;
import com.alipay.remoting.rpc.RpcClient;
import com.alipay.remoting.rpc.RpcServer;
import com.alipay.remoting.rpc.protocol.SyncUserProcessor;
import com.alipay.sofa.jraft.rpc.impl.BoltRaftRpcFactory;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.config.NodeConfigLoader;
import io.dledger.broker.security.NodeCredentials;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on a Bolt server and client as a node's Raft port and Raft client use it: a peer with the trusted
 * certificate is answered; a plaintext peer, a peer with another certificate, and a peer that does not trust the
 * server's certificate get nothing through, and the server handles none of their requests; a replaced
 * {@code raft.tls.ca}, certificate and key are used for new connections.
 */
@Timeout(30)
class RaftTransportTlsTest {
    private static final TlsFiles NODE = new TlsFiles("node", "node");
    private final AtomicInteger handled = new AtomicInteger();
    private final List<RpcClient> clients = new ArrayList<>();
    @TempDir
    Path dir;
    private NodeCredentials serverCredentials; // from files in dir, looked at every 50 ms
    private RpcServer server;
    private String address;

    /** A node's certificate and key ({@code own}.pem, .key) and the certificate it trusts ({@code trusted}.pem). */
    private record TlsFiles(String own, String trusted) {
        SSLContext context() {
            return NodeCredentials.load(config(resource(own + ".pem"), resource(own + ".key"),
                    resource(trusted + ".pem"))).raft();
        }
    }

    private static NodeConfig config(Path cert, Path key, Path raftCa) {
        Map<ConfigKey, String> flags = new EnumMap<>(ConfigKey.class);
        flags.put(ConfigKey.NODE_ID, "n1");
        flags.put(ConfigKey.PEERS, "n1=127.0.0.1:7001:9001");
        flags.put(ConfigKey.GRPC_TLS_CERT, cert.toString());
        flags.put(ConfigKey.GRPC_TLS_KEY, key.toString());
        flags.put(ConfigKey.RAFT_TLS, "true");
        flags.put(ConfigKey.RAFT_TLS_CA, raftCa.toString());
        return NodeConfigLoader.load(flags, Map.of(), null);
    }

    private Path copy(String resource, String as) throws Exception {
        return Files.copy(resource(resource), dir.resolve(as), StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path resource(String name) {
        try {
            return Path.of(RaftTransportTlsTest.class.getResource("/tls/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void startServer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server = new RpcServer(port, true);
        serverCredentials = NodeCredentials.load(config(copy("node.pem", "cert.pem"), copy("node.key", "cert.key"),
                copy("node.pem", "raft-ca.pem")));
        serverCredentials.start(Duration.ofMillis(50));
        new RaftTransportTls(serverCredentials.raft()).secure(server);
        server.registerUserProcessor(new SyncUserProcessor<String>() {
            @Override
            public Object handleRequest(BizContext ctx, String request) {
                handled.incrementAndGet();
                return "pong " + request;
            }

            @Override
            public String interest() {
                return String.class.getName();
            }
        });
        server.startup();
        address = "127.0.0.1:" + port;
    }

    @AfterEach
    void stop() {
        clients.forEach(RpcClient::shutdown);
        server.shutdown();
        serverCredentials.close();
    }

    private RpcClient client(TlsFiles tls) {
        RpcClient client = new RpcClient();
        if (tls != null) {
            new RaftTransportTls(tls.context()).secure(client);
        }
        client.startup();
        clients.add(client);
        return client;
    }

    @Test
    void aPeerWithTheTrustedCertificateIsAnswered() throws Exception {
        assertThat(client(NODE).invokeSync(address, "ping", 10_000)).isEqualTo("pong ping");
        assertThat(handled).hasValue(1);
    }

    @Test
    void aPlaintextPeerAnUntrustedCertificateAndAnUntrustingPeerGetNothingThrough() {
        for (TlsFiles peer : new TlsFiles[] {null, new TlsFiles("other", "node"), new TlsFiles("node", "other")}) {
            assertThatThrownBy(() -> client(peer).invokeSync(address, "ping", 3_000))
                    .as(peer == null ? "plaintext" : peer.own() + " trusting " + peer.trusted())
                    .isInstanceOf(com.alipay.remoting.exception.RemotingException.class);
        }
        assertThat(handled).as("requests the server handled").hasValue(0);
    }

    /** Whether a new client with {@code tls} gets an answer. */
    private boolean answered(TlsFiles tls) {
        try {
            return "pong ping".equals(client(tls).invokeSync(address, "ping", 3_000));
        } catch (com.alipay.remoting.exception.RemotingException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void aReplacedCaCertificateAndKeyAreUsedForNewConnections() throws Exception {
        TlsFiles otherTrustingNode = new TlsFiles("other", "node");
        assertThat(answered(otherTrustingNode)).isFalse();
        copy("other.pem", "raft-ca.pem"); // admits 'other' and no longer 'node'
        await("the new raft.tls.ca admits other").atMost(Duration.ofSeconds(10))
                .until(() -> answered(otherTrustingNode));
        assertThat(answered(NODE)).as("node's certificate, no longer admitted").isFalse();

        TlsFiles other = new TlsFiles("other", "other");
        assertThat(answered(other)).as("the server still presents node's certificate").isFalse();
        copy("other.key", "cert.key");
        copy("other.pem", "cert.pem");
        await("the server presents other's certificate").atMost(Duration.ofSeconds(10)).until(() -> answered(other));
    }

    @Test
    void tlsNeedsTheTransportThatSecuresTheClient() {
        assertThat(RpcFactoryHelper.rpcFactory()).as("the factory JRaft picks with this jar on the class path")
                .isInstanceOf(SecuredBoltRpcFactory.class);
        assertThatThrownBy(() -> RaftTransportTls.forTransport(NODE.context(), new BoltRaftRpcFactory()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("raft.tls needs JRaft's RPC factory");
    }

    @Test
    void aPlaintextConnectionIsClosedUnanswered() throws Exception {
        int port = Integer.parseInt(address.substring(address.indexOf(':') + 1));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("not a TLS record, not a Raft request".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            assertThat(in.read()).as("closed without a byte of answer").isEqualTo(-1);
        }
    }
}
