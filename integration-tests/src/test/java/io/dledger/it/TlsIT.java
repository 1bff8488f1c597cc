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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A cluster whose gRPC front ends serve TLS only: the SDK and the command line with the certificate, nodes to nodes. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TlsIT {
    @TempDir
    Path certs;

    private TestCluster cluster;

    @RegisterExtension
    FailureLogs logs = new FailureLogs(() -> cluster);

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void clientsWithTheCertificateProduceAndConsumeAndOthersAreToldWhyNot() throws Exception {
        TestCertificates tls = TestCertificates.create(certs);
        cluster = TestCluster.start("tls", 3, Map.of("grpc.tls.cert", tls.cert().toString(), "grpc.tls.key",
                tls.key().toString()), b -> b.tls(tls.cert()));
        DLedgerClient client = cluster.client();
        client.admin().createTopic("secure", 1);
        try (Producer p = client.newProducer(); PullConsumer c = client.newPullConsumer()) {
            assertThat(p.send("secure", Message.of("over TLS")).offset()).isZero();
            assertThat(c.pull("secure", 0, 0, 10).messages()).singleElement()
                    .satisfies(m -> assertThat(m.bodyAsString()).isEqualTo("over TLS"));
        }
        // the leader asks the followers for their status over TLS too (grpc.tls.ca defaults to the certificate)
        ClusterView view = client.admin().describeCluster();
        assertThat(view.nodes()).hasSize(3).allMatch(NodeView::reachable);

        try (DLedgerClient plain = DLedgerClient.builder().seeds(cluster.local().seeds())
                .operationTimeout(Duration.ofSeconds(3)).build()) {
            assertThatThrownBy(() -> plain.admin().describeTopic("secure"))
                    .isInstanceOfSatisfying(DLedgerException.class, e -> assertThat(e.code())
                            .isIn(ErrorCode.NODE_UNAVAILABLE, ErrorCode.NOT_LEADER, ErrorCode.TIMEOUT))
                    .hasMessageContaining("a TLS node does that to plaintext clients (--tls-ca)");
        }
        TestCertificates other = TestCertificates.create(certs.resolve("other"));
        try (DLedgerClient untrusting = DLedgerClient.builder().seeds(cluster.local().seeds()).tls(other.cert())
                .operationTimeout(Duration.ofSeconds(3)).build()) {
            assertThatThrownBy(() -> untrusting.admin().describeTopic("secure"))
                    .as("trusting another certificate").hasMessageContaining("TLS handshake failed (trust the node's certificate with --tls-ca");
        }

        String servers = cluster.local().seeds();
        assertThat(cli("consume", "-s", servers, "--tls-ca", tls.cert().toString(), "-t", "secure"))
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
