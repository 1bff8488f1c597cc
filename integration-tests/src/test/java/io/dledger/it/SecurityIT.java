package io.dledger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dledger.broker.cli.DLedgerCli;
import io.dledger.client.ClusterView;
import io.dledger.client.DLedgerClient;
import io.dledger.client.DLedgerException;
import io.dledger.client.ErrorCode;
import io.dledger.client.Message;
import io.dledger.client.NodeView;
import io.dledger.client.Producer;
import io.dledger.client.PullConsumer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster whose gRPC front ends serve TLS only and only calls with one of their tokens: the SDK and the command line
 * with the certificate and a token, node to node too; clients without either are told why.
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
                "--set", "grpc.tls.key=" + tls.key(), "--set", "grpc.auth.tokens.file=" + tokens))
                .contains("leader: n");
        assertThat(cli("cluster", "status", "--dir", dir)).contains("leader: n").doesNotContain("UNREACHABLE");
        cli("cluster", "down", "--dir", dir);
    }

    @Test
    void clientsWithTheCertificateAndATokenProduceAndConsumeAndOthersAreToldWhyNot() throws Exception {
        TestCertificates tls = TestCertificates.create(certs);
        Path tokens = Files.writeString(certs.resolve("tokens"), "# the old one, still accepted\n"
                + "an-older-token-0123456789\n" + TOKEN + "\n");
        cluster = TestCluster.start("secure", 3, Map.of("grpc.tls.cert", tls.cert().toString(), "grpc.tls.key",
                tls.key().toString(), "grpc.auth.tokens.file", tokens.toString()), b -> b.tls(tls.cert()).token(TOKEN));
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
        try (DLedgerClient plain = DLedgerClient.builder().seeds(cluster.local().seeds())
                .operationTimeout(Duration.ofSeconds(3)).build()) {
            assertThatThrownBy(() -> plain.admin().describeTopic("secure"))
                    .isInstanceOfSatisfying(DLedgerException.class, e -> assertThat(e.code())
                            .isIn(ErrorCode.NODE_UNAVAILABLE, ErrorCode.NOT_LEADER, ErrorCode.TIMEOUT))
                    // closed or lost
                    .hasMessageContaining("(if this client is plaintext, the node may serve TLS: --tls-ca)");
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
                .contains("secure/0@0 over TLS").contains("1 message");
    }

    private static String cli(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = DLedgerCli.newCommandLine().execute(args);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(code).as(out).isZero();
        return out;
    }
}
