package io.dledger.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.config.SingleNodeConfig;
import io.dledger.broker.local.NodeAccess;
import io.dledger.broker.security.NodeCredentials;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP port as a client sees it: plaintext and open by default; with {@code http.tls} HTTPS only, presenting the
 * node's current certificate; with {@code http.auth} {@code /metrics} only for a token of every topic, {@code /health}
 * still open.
 */
@Timeout(30)
class HttpEndpointTest {
    private static final String FULL = "metrics-reader-token-0123456789";
    private static final String SCOPED = "scoped-reader-token-0123456789";
    @TempDir
    Path dir;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private Path copy(String resource, String as) throws Exception {
        Path from = Path.of(HttpEndpointTest.class.getResource("/tls/" + resource).toURI());
        return Files.copy(from, dir.resolve(as), StandardCopyOption.REPLACE_EXISTING);
    }

    private NodeConfig config(Map<ConfigKey, String> settings) {
        return SingleNodeConfig.in(dir, settings);
    }

    private HttpEndpoint start(NodeConfig config, NodeCredentials credentials) {
        Counter.builder("dledger.test.scraped").register(registry).increment();
        return HttpEndpoint.start("127.0.0.1", 0, config.httpTls() ? credentials.http() : null,
                new HttpEndpoint.Metrics(registry, () -> { }, config.httpAuth() ? credentials::admitsToMetrics : null),
                Optional::empty);
    }

    private static HttpResponse<String> get(NodeAccess access, String url) throws IOException, InterruptedException {
        return access.httpClient(Duration.ofSeconds(2)).send(access.httpRequest(URI.create(url))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void byDefaultThePortIsPlaintextAndOpen() throws Exception {
        NodeConfig config = config(Map.of());
        try (NodeCredentials credentials = NodeCredentials.load(config);
             HttpEndpoint http = start(config, credentials)) {
            String base = "http://127.0.0.1:" + http.port();
            assertThat(get(NodeAccess.NONE, base + "/health/ready").statusCode()).isEqualTo(200);
            assertThat(get(NodeAccess.NONE, base + "/health").body()).as("/health alone is readiness")
                    .isEqualTo("ready\n");
            assertThat(get(NodeAccess.NONE, base + "/health/other").statusCode()).isEqualTo(404);
            assertThat(get(NodeAccess.NONE, base + "/metrics").body()).contains("dledger_test_scraped_total 1.0");
        }
    }

    @Test
    void withTlsAndAuthMetricsNeedATokenOfEveryTopicOverHttpsAndHealthStaysOpen() throws Exception {
        Path cert = copy("node.pem", "cert.pem");
        Path key = copy("node.key", "cert.key");
        Path tokens = Files.writeString(dir.resolve("tokens"), FULL + " read\n" + SCOPED + " admin topics=a*\n");
        NodeConfig config = config(Map.of(ConfigKey.GRPC_TLS_CERT, cert.toString(), ConfigKey.GRPC_TLS_KEY,
                key.toString(), ConfigKey.GRPC_AUTH_TOKENS_FILE, tokens.toString(), ConfigKey.HTTP_TLS, "true",
                ConfigKey.HTTP_AUTH, "true"));
        Path trusted = copy("node.pem", "trusted.pem");
        try (NodeCredentials credentials = NodeCredentials.load(config);
             HttpEndpoint http = start(config, credentials)) {
            String base = "https://127.0.0.1:" + http.port();
            NodeAccess noToken = new NodeAccess(trusted, null);
            assertThat(get(noToken, base + "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(noToken, base + "/health/ready").statusCode()).isEqualTo(200);
            HttpResponse<String> refused = get(noToken, base + "/metrics");
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).contains("Bearer");
            assertThat(refused.body()).contains("http.auth").doesNotContain("dledger_");
            assertThat(get(new NodeAccess(trusted, "not-a-token-of-this-node-0123"), base + "/metrics").statusCode())
                    .isEqualTo(401);
            assertThat(get(new NodeAccess(trusted, SCOPED), base + "/metrics").statusCode())
                    .as("metrics name every topic and group: a token limited to some topics does not read them")
                    .isEqualTo(401);
            assertThat(get(new NodeAccess(trusted, FULL), base + "/metrics").body())
                    .contains("dledger_test_scraped_total 1.0");

            assertThatThrownBy(() -> get(NodeAccess.NONE, "http://127.0.0.1:" + http.port() + "/health/live"))
                    .as("plaintext is not served").isInstanceOf(IOException.class);
            assertThatThrownBy(() -> get(new NodeAccess(copy("other.pem", "wrong.pem"), FULL), base + "/metrics"))
                    .as("a certificate the client does not trust").isInstanceOf(IOException.class);

            credentials.start(Duration.ofMillis(50));
            copy("other.pem", "cert.pem");
            copy("other.key", "cert.key");
            NodeAccess trustsNew = new NodeAccess(dir.resolve("wrong.pem"), FULL);
            await("the replaced certificate on new connections").atMost(Duration.ofSeconds(10))
                    .ignoreExceptions().until(() -> get(trustsNew, base + "/metrics").statusCode() == 200);
        }
    }

    /**
     * Clients that never finish a request (here the first bytes of a TLS hello: what an HTTPS probe sends to a
     * plaintext port) outnumber the port's two handler threads: the port closes them, and {@code /health} answers
     * again. Without the request time limit they stay open until the client gives up, and the port answers nothing.
     */
    @Test
    void stalledRequestsAreClosedAndDoNotHoldThePort() throws Exception {
        byte[] tlsRecordStart = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00};
        NodeConfig config = config(Map.of());
        try (NodeCredentials credentials = NodeCredentials.load(config);
             HttpEndpoint http = start(config, credentials)) {
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket socket = new Socket("127.0.0.1", http.port());
                    socket.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
                    socket.getOutputStream().write(tlsRecordStart);
                    socket.getOutputStream().flush();
                    stalled.add(socket);
                }
                for (Socket socket : stalled) {
                    assertThat(readUntilClosed(socket)).as("the port closed the stalled connection").isTrue();
                }
                assertThat(get(NodeAccess.NONE, "http://127.0.0.1:" + http.port() + "/health/live").statusCode())
                        .isEqualTo(200);
            } finally {
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
        }
        assertThat(System.getProperty(HttpEndpoint.REQUEST_TIME_PROPERTY))
                .isEqualTo(Integer.toString(HttpEndpoint.REQUEST_SECONDS));
    }

    /** True when the peer closed the connection (end of stream or reset) before the socket's read timeout. */
    private static boolean readUntilClosed(Socket socket) throws IOException {
        try {
            while (socket.getInputStream().read() != -1) {
                // a JDK server may answer 400 to garbage before it closes
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    @Test
    void aCommandThatTrustsTlsNeverSendsItsTokenInTheClear() {
        NodeAccess tls = new NodeAccess(dir.resolve("ca.pem"), FULL);
        assertThat(tls.httpRequest(URI.create("https://h:1/metrics")).build().headers().firstValue("Authorization"))
                .contains("Bearer " + FULL);
        assertThat(tls.httpRequest(URI.create("http://h:1/metrics")).build().headers().firstValue("Authorization"))
                .isEmpty();
        assertThat(new NodeAccess(null, FULL).httpRequest(URI.create("http://h:1/metrics")).build().headers()
                .firstValue("Authorization")).as("a cluster without TLS").contains("Bearer " + FULL);
    }
}
