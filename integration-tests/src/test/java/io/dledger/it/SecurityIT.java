package io.dledger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dledger.broker.cli.DLedgerCli;
import io.dledger.broker.config.PemFiles;
import io.dledger.broker.security.NodeCredentials;
import io.dledger.client.ClusterView;
import io.dledger.client.DLedgerClient;
import io.dledger.client.DLedgerException;
import io.dledger.client.ErrorCode;
import io.dledger.client.Message;
import io.dledger.client.NodeView;
import io.dledger.client.Producer;
import io.dledger.client.PullConsumer;
import io.dledger.client.TopicDescription;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster whose gRPC front ends serve TLS only and only calls with one of their tokens, and whose Raft ports speak
 * mutual TLS only: the SDK and the command line with the certificate and a token, node to node too (status calls, and
 * Raft through an election and a catch-up); clients without either are told why, and peers without the certificate
 * get nothing through the Raft port.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecurityIT extends ClusterTestBase {
    private static final String TOKEN = "s3cret-token-for-the-test";

    @TempDir
    Path certs;

    @AfterEach
    void stopLocalCluster() {
        Path local = certs.resolve("local");
        if (io.dledger.broker.local.LocalCluster.exists(local)) { // the 'cluster up' test's, if it failed half-way
            io.dledger.broker.local.LocalCluster.load(local).stopAll(Duration.ofSeconds(10));
        }
    }

    /**
     * 'cluster up' with TLS and tokens: its readiness check, and the other cluster commands, trust the certificate and
     * send the token the nodes were started with.
     */
    @Test
    void localClusterCommandsWorkWithTlsAndTokens() throws Exception {
        TestCertificates tls = TestCertificates.create(certs);
        Path tokens = Files.writeString(certs.resolve("tokens"), TOKEN + "\n");
        String dir = certs.resolve("local").toString();
        assertThat(cli("cluster", "up", "--dir", dir, "--base-port", "0", "--set", "grpc.tls.cert=" + tls.cert(),
                "--set", "grpc.tls.key=" + tls.key(), "--set", "grpc.auth.tokens.file=" + tokens,
                "--set", "http.tls=true", "--set", "http.auth=true")).as("its readiness check over HTTPS")
                .contains("leader: n");
        assertThat(cli("cluster", "status", "--dir", dir)).contains("leader: n").doesNotContain("UNREACHABLE");
        cli("cluster", "down", "--dir", dir);
    }

    /**
     * {@code bench --local} with TLS and tokens on both ports: its client trusts the certificate and sends the token it
     * set, and so does its reading of the nodes' metrics.
     */
    @Test
    void aBenchmarksOwnClusterMayServeTlsAndTokens() throws Exception {
        TestCertificates tls = TestCertificates.create(certs);
        Path tokens = Files.writeString(certs.resolve("tokens"), TOKEN + "\n");
        Path dir = certs.resolve("bench");
        try {
            assertThat(cli("bench", "produce", "--local", "--local-dir", dir.toString(), "--set", "grpc.tls.cert="
                    + tls.cert(), "--set", "grpc.tls.key=" + tls.key(), "--set", "grpc.auth.tokens.file=" + tokens,
                    "--set", "http.tls=true", "--set", "http.auth=true",
                    "--threads", "2", "--warmup", "0", "--duration", "1", "--jit-warmup", "0"))
                    .containsPattern("metric=produce_msgs_per_s threads=2 size=1024 value=[1-9]")
                    .contains("metric=produce_errors threads=2 size=1024 value=0\n")
                    .as("the nodes' metrics read").contains("metric=produce_call_us threads=2")
                    .doesNotContain("write-path means leave out");
        } finally {
            ClusterData.dropKeepingLogs(dir);
        }
    }

    @Test
    void clientsWithTheCertificateAndATokenProduceAndConsumeAndOthersAreToldWhyNot() throws Exception {
        TestCertificates tls = TestCertificates.create(certs);
        Path tokens = Files.writeString(certs.resolve("tokens"), "# the old one, still accepted\n"
                + "an-older-token-0123456789\n" + TOKEN + "\n" + "a-reading-token-0123456789 read\n"
                + "a-scoped-token-0123456789 write topics=scoped-*\n");
        cluster = TestCluster.start("secure", 3, Map.of("grpc.tls.cert", tls.cert().toString(), "grpc.tls.key",
                tls.key().toString(), "grpc.auth.tokens.file", tokens.toString(), "raft.tls", "true",
                "http.tls", "true", "http.auth", "true"), b -> b.tls(tls.cert()).token(TOKEN));
        DLedgerClient client = cluster.client();
        client.admin().createTopic("secure", 1);
        try (Producer p = client.newProducer(); PullConsumer c = client.newPullConsumer()) {
            assertThat(p.send("secure", Message.of("over TLS")).offset()).isZero();
            assertThat(c.pull("secure", 0, 0, 10).messages()).singleElement()
                    .satisfies(m -> assertThat(m.bodyAsString()).isEqualTo("over TLS"));
        }
        // the leader asks the followers for their status over TLS too (grpc.tls.ca defaults to the certificate), with
        // its first token
        ClusterView view = client.admin().describeCluster();
        assertThat(view.nodes()).hasSize(3).allMatch(NodeView::reachable);
        raftPortSpeaksOnlyTls(cluster.local().nodes().get(0).peer().raftPort(), tls);
        // Raft over mutual TLS: a new election after a kill -9, and the killed node catching up when it is back
        String killed = cluster.killLeader();
        try (Producer p = client.newProducer()) {
            assertThat(p.send("secure", Message.of("after the kill")).offset()).isOne();
        }
        assertThat(cluster.awaitLeader()).isNotEqualTo(killed);
        cluster.restart(killed);
        cluster.awaitEveryNodeFollowing();
        assertThat(cluster.awaitIdenticalReplicas("secure").get(0).queues().get(0).maxOffset()).isEqualTo(2);

        try (DLedgerClient noToken = DLedgerClient.builder().seeds(cluster.local().seeds()).tls(tls.cert())
                .operationTimeout(Duration.ofSeconds(20)).build();
             DLedgerClient wrongToken = DLedgerClient.builder().seeds(cluster.local().seeds()).tls(tls.cert())
                     .token("not-the-token-0123456789").operationTimeout(Duration.ofSeconds(20)).build()) {
            for (DLedgerClient refused : java.util.List.of(noToken, wrongToken)) {
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> refused.admin().createTopic("sneaky", 1))
                        .isInstanceOfSatisfying(DLedgerException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
                            assertThat(e.retryable()).isFalse();
                        }).hasMessageContaining("grpc.auth.tokens.file");
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("refused at once, not retried for 20 s")
                        .isLessThan(Duration.ofSeconds(10));
            }
            assertThatThrownBy(() -> client.admin().describeTopic("sneaky")).as("refused before any handler ran")
                    .isInstanceOfSatisfying(DLedgerException.class, e -> assertThat(e.code())
                            .isEqualTo(ErrorCode.TOPIC_NOT_FOUND));
        }
        // a read token consumes, and is refused at once what needs more
        try (DLedgerClient reader = DLedgerClient.builder().seeds(cluster.local().seeds()).tls(tls.cert())
                .token("a-reading-token-0123456789").operationTimeout(Duration.ofSeconds(20)).build();
             Producer p = reader.newProducer(); PullConsumer c = reader.newPullConsumer()) {
            assertThat(c.pull("secure", 0, 0, 10).messages()).hasSize(2);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> p.send("secure", Message.of("not allowed")))
                    .isInstanceOfSatisfying(DLedgerException.class, e -> assertThat(e.code())
                            .isEqualTo(ErrorCode.PERMISSION_DENIED)).hasMessageContaining("needs write");
            assertThatThrownBy(() -> reader.admin().deleteTopic("secure")).hasMessageContaining("needs admin");
            assertThatThrownBy(() -> operatorCommit(cluster.local().seeds().split(",")[0], tls,
                    "a-reading-token-0123456789"))
                    .as("a commit without a member id is an operator's").hasMessageContaining("PERMISSION_DENIED")
                    .hasMessageContaining("needs admin");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("not retried").isLessThan(Duration.ofSeconds(10));
        }
        // a token limited to some topics produces to those, sees those, and is refused the others
        client.admin().createTopic("scoped-orders", 1);
        try (DLedgerClient scoped = DLedgerClient.builder().seeds(cluster.local().seeds()).tls(tls.cert())
                .token("a-scoped-token-0123456789").operationTimeout(Duration.ofSeconds(20)).build();
             Producer p = scoped.newProducer()) {
            assertThat(p.send("scoped-orders", Message.of("in scope")).offset()).isZero();
            assertThat(scoped.admin().listTopics()).extracting(TopicDescription::topic)
                    .containsExactly("scoped-orders");
            assertThatThrownBy(() -> p.send("secure", Message.of("out of scope")))
                    .isInstanceOfSatisfying(DLedgerException.class, e -> assertThat(e.code())
                            .isEqualTo(ErrorCode.PERMISSION_DENIED)).hasMessageContaining("topics=scoped-*");
        }
        try (DLedgerClient plain = DLedgerClient.builder().seeds(cluster.local().seeds())
                .operationTimeout(Duration.ofSeconds(3)).build()) {
            assertThatThrownBy(() -> plain.admin().describeTopic("secure"))
                    .isInstanceOfSatisfying(DLedgerException.class, e -> assertThat(e.code())
                            .isIn(ErrorCode.NODE_UNAVAILABLE, ErrorCode.NOT_LEADER, ErrorCode.TIMEOUT))
                    // closed or lost
                    .hasMessageContaining("(plaintext client? the node may serve TLS: --tls-ca");
        }
        TestCertificates other = TestCertificates.create(certs.resolve("other"));
        try (DLedgerClient untrusting = DLedgerClient.builder().seeds(cluster.local().seeds()).tls(other.cert())
                .operationTimeout(Duration.ofSeconds(3)).build()) {
            assertThatThrownBy(() -> untrusting.admin().describeTopic("secure"))
                    .as("trusting another certificate")
                    .hasMessageContaining("TLS handshake failed (trust the node's certificate with --tls-ca");
        }

        String servers = cluster.local().seeds();
        Path tokenFile = Files.writeString(certs.resolve("client-token"), TOKEN + "\n");
        assertThat(cli("consume", "-s", servers, "--tls-ca", tls.cert().toString(), "--token-file",
                tokenFile.toString(), "-t", "secure"))
                .contains("secure/0@0 over TLS").contains("secure/0@1 after the kill").contains("2 messages");
        assertThat(cli("bench", "produce", "-s", servers, "--tls-ca", tls.cert().toString(), "--token-file",
                tokenFile.toString(), "--threads", "2", "--warmup", "0", "--duration", "1", "--jit-warmup", "0"))
                .as("a benchmark of a secured cluster").containsPattern("metric=produce_msgs_per_s threads=2 "
                        + "size=1024 value=[1-9]").contains("metric=produce_errors threads=2 size=1024 value=0\n")
                .contains("# removed topic bench-produce-")
                .as("the nodes' metrics read over HTTPS with the token").contains("metric=produce_call_us threads=2")
                .doesNotContain("write-path means leave out");
        metricsNeedTheTokenOverHttps(cluster.local().nodes().get(0).httpPort(), tls);
        long t0 = System.nanoTime();
        assertThat(cliError("bench", "produce", "-s", servers, "--tls-ca", tls.cert().toString(), "--threads", "1",
                "--warmup", "0", "--duration", "1", "--jit-warmup", "0")).as("a benchmark without a token")
                .contains("UNAUTHENTICATED").contains("grpc.auth.tokens.file");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("told at once").isLessThan(Duration.ofSeconds(30));

        // a replaced token file is taken without a restart, within a check interval
        String next = "the-next-token-0123456789";
        Files.writeString(tokens, next + "\n");
        try (DLedgerClient rotated = DLedgerClient.builder().seeds(cluster.local().seeds()).tls(tls.cert())
                .token(next).operationTimeout(Duration.ofSeconds(5)).build()) {
            await("the new token accepted").atMost(NodeCredentials.CHECK_INTERVAL.multipliedBy(4))
                    .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> rotated.admin().describeTopic("secure") != null);
        }
        await("the old token refused").atMost(NodeCredentials.CHECK_INTERVAL.multipliedBy(4))
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    try {
                        client.admin().describeTopic("secure");
                        return false;
                    } catch (DLedgerException e) {
                        return e.code() == ErrorCode.UNAUTHENTICATED;
                    }
                });
    }

    /** With http.tls and http.auth: /metrics over HTTPS only, and only with a token; /health without one. */
    private static void metricsNeedTheTokenOverHttps(int httpPort, TestCertificates tls) throws Exception {
        HttpClient https = HttpClient.newBuilder().sslContext(trusting(tls)).connectTimeout(Duration.ofSeconds(2))
                .build();
        String base = "https://127.0.0.1:" + httpPort;
        assertThat(https.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        assertThat(https.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        assertThat(https.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body())
                .contains("dledger_raft_term");
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/health/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()))
                .as("no plaintext").isInstanceOf(IOException.class);
    }

    /**
     * The Raft port speaks TLS and admits a peer with the node's certificate, while without one a peer gets no Raft
     * message through: plaintext bytes are answered by closing the connection, and a TLS handshake without a client
     * certificate fails.
     */
    private static void raftPortSpeaksOnlyTls(int raftPort, TestCertificates tls) throws Exception {
        try (SSLSocket s = (SSLSocket) raftPeerContext(tls).getSocketFactory().createSocket("127.0.0.1", raftPort)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            assertThat(s.getSession().getProtocol()).as("with the node's certificate").startsWith("TLSv1.");
        }
        try (Socket plain = new Socket("127.0.0.1", raftPort)) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write("plaintext, not a TLS record".getBytes(StandardCharsets.US_ASCII));
            assertThat(plain.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
        }
        try (SSLSocket s = (SSLSocket) raftPeerContext(null).getSocketFactory().createSocket("127.0.0.1", raftPort)) {
            s.setSoTimeout(10_000);
            assertThatThrownBy(() -> {
                s.startHandshake();
                s.getInputStream().read(); // TLS 1.3: the node refuses the missing certificate after the handshake
            }).as("a handshake without a client certificate").isInstanceOf(IOException.class);
        }
    }

    /** A commit of offset 0 of queue 0 for group 'ops' with no member id, straight over gRPC with {@code token}. */
    private static void operatorCommit(String node, TestCertificates tls, String token) throws Exception {
        io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forTarget(node,
                io.grpc.TlsChannelCredentials.newBuilder().trustManager(tls.cert().toFile()).build()).build();
        try {
            io.grpc.Metadata h = new io.grpc.Metadata();
            h.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
                    "Bearer " + token);
            io.dledger.proto.ConsumerServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(h))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .commitOffsets(io.dledger.proto.CommitOffsetsRequest.newBuilder().setGroup("ops").setTopic("secure")
                            .addOffsets(io.dledger.proto.QueueOffset.newBuilder().setQueue(0).setOffset(0)).build());
        } finally {
            channel.shutdownNow();
        }
    }

    /** TLS trusting {@code tls}'s certificate, host names checked as for any https URL. */
    private static SSLContext trusting(TestCertificates tls) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("node", PemFiles.certificates(tls.cert()).get(0));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** TLS trusting any node, presenting {@code tls}'s certificate (none when null). */
    private static SSLContext raftPeerContext(TestCertificates tls) throws Exception {
        KeyManager[] keys = null;
        if (tls != null) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("node", PemFiles.privateKey(tls.key()), new char[0],
                    PemFiles.certificates(tls.cert()).toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, new char[0]);
            keys = kmf.getKeyManagers();
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }

    /** Exit code, standard output and standard error of one {@code dledger} command run in this JVM. */
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = DLedgerCli.newCommandLine().execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        Run r = new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        oldOut.print(r.out());
        oldErr.print(r.err());
        return r;
    }

    /** Standard output of a {@code dledger} command that succeeds. */
    private static String cli(String... args) {
        Run r = run(args);
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        return r.out();
    }

    /** Standard error of a {@code dledger} command that fails. */
    private static String cliError(String... args) {
        Run r = run(args);
        assertThat(r.code()).as(r.err()).isNotZero();
        return r.err();
    }
}
