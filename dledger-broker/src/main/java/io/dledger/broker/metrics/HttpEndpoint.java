package io.dledger.broker.metrics;

import io.dledger.broker.concurrent.DaemonThreadFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The node's HTTP port: {@code /metrics} (Prometheus text format), {@code /health/live} (200 while the
 * process serves) and {@code /health/ready} (200 when the node is part of a cluster with a known leader
 * and has applied what it knows to be committed; 503 with the reason otherwise; {@code /health} alone answers alike).
 * Used by Prometheus, the Docker HEALTHCHECK and {@code dledger cluster up}. Plaintext, or HTTPS only
 * ({@code http.tls}); {@code /metrics} may ask for a token ({@code http.auth}: 401 without one it admits),
 * {@code /health} never does.
 *
 * <p>Two handler threads serve the port. A client that never finishes its request (a TLS hello sent to a plaintext
 * port, a stalled connection) would hold one for as long as it stays connected, so the port closes a connection
 * whose request has not arrived {@value #REQUEST_SECONDS} s after it connected (checked every second, so about a
 * second later; a request that arrived meanwhile and still waits for a thread may be closed with it), or whose
 * response is not sent within {@value #RESPONSE_SECONDS} s of its request. The JDK's server reads these limits once
 * per JVM, from the system properties {@value #REQUEST_TIME_PROPERTY} and {@value #RESPONSE_TIME_PROPERTY} when its
 * first server starts: {@link #start} sets them unless they are set (a {@code -D} of the operator wins), which holds
 * when this class starts the JVM's first JDK HTTP server, as it does in a node.
 */
public final class HttpEndpoint implements AutoCloseable {
    /** The JDK server's limit, in seconds, from a new connection (or an idle one that sends again) to its request. */
    static final String REQUEST_TIME_PROPERTY = "sun.net.httpserver.maxReqTime";
    /** The JDK server's limit, in seconds, from a request to the end of its response. */
    static final String RESPONSE_TIME_PROPERTY = "sun.net.httpserver.maxRspTime";
    static final int REQUEST_SECONDS = 5;
    static final int RESPONSE_SECONDS = 30;

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * What {@code /metrics} serves and to whom.
     *
     * @param registry     the Prometheus registry to scrape
     * @param beforeScrape runs before each scrape of an admitted request (brings membership-dependent gauges up to
     *                     date), on one of the port's two handler threads: it may run on both at once
     * @param admits       whether a request with this {@code Authorization} header value (null: none) may read it;
     *                     null: any request may
     */
    public record Metrics(PrometheusMeterRegistry registry, Runnable beforeScrape, Predicate<String> admits) {
    }

    /**
     * @param tls      the TLS the port serves ({@code http.tls}), or null: plaintext
     * @param metrics  what {@code /metrics} serves, or null: no {@code /metrics}
     * @param notReady empty when ready, else why not
     */
    public static HttpEndpoint start(String host, int port, SSLContext tls, Metrics metrics,
                                     Supplier<Optional<String>> notReady) {
        limitUnlessSet(REQUEST_TIME_PROPERTY, REQUEST_SECONDS);
        limitUnlessSet(RESPONSE_TIME_PROPERTY, RESPONSE_SECONDS);
        try {
            InetSocketAddress address = new InetSocketAddress(host, port);
            HttpServer server;
            if (tls == null) {
                server = HttpServer.create(address, 16);
            } else {
                HttpsServer https = HttpsServer.create(address, 16);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            }
            ExecutorService executor = Executors.newFixedThreadPool(2, new DaemonThreadFactory("dledger-http"));
            server.setExecutor(executor);
            server.createContext("/health/live", ex -> reply(ex, 200, "live\n"));
            HttpHandler ready = ex -> {
                Optional<String> why = notReady.get();
                reply(ex, why.isEmpty() ? 200 : 503, why.map(w -> "not ready: " + w + "\n").orElse("ready\n"));
            };
            server.createContext("/health/ready", ready);
            server.createContext("/health", ex -> { // the other paths below /health have their own contexts
                if (ex.getRequestURI().getPath().equals("/health")) {
                    ready.handle(ex);
                } else {
                    reply(ex, 404, "no such path: /health/live and /health/ready are served\n");
                }
            });
            if (metrics != null) {
                server.createContext("/metrics", ex -> {
                    if (metrics.admits() != null
                            && !metrics.admits().test(ex.getRequestHeaders().getFirst("Authorization"))) {
                        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                        reply(ex, 401, "/metrics needs a token of grpc.auth.tokens.file that holds for every topic "
                                + "(http.auth): Authorization: Bearer TOKEN\n");
                        return;
                    }
                    metrics.beforeScrape().run();
                    reply(ex, 200, metrics.registry().scrape());
                });
            }
            server.start();
            return new HttpEndpoint(server, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the HTTP endpoint on " + host + ":" + port + " (port in use, "
                    + "or not an address of this machine?)", e);
        } catch (java.nio.channels.UnresolvedAddressException e) {
            throw new IllegalArgumentException("cannot start the HTTP endpoint: its host '" + host
                    + "' (http.bind.host, else grpc.bind.host) does not resolve", e);
        }
    }

    private static synchronized void limitUnlessSet(String property, int seconds) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(seconds));
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
