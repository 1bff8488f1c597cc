package io.dledger.broker.metrics;

import io.dledger.broker.concurrent.DaemonThreadFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The node's HTTP port: {@code /metrics} (Prometheus text format), {@code /health/live} (200 while the
 * process serves) and {@code /health/ready} (200 when the node is part of a cluster with a known leader
 * and has applied what it knows to be committed; 503 with the reason otherwise). Used by Prometheus, the
 * Docker HEALTHCHECK and {@code dledger cluster up}.
 */
public final class HttpEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private HttpEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * @param notReady  empty when ready, else why not
     * @param registry     the Prometheus registry to scrape (null: no /metrics)
     * @param beforeScrape runs before each scrape (brings membership-dependent gauges up to date)
     */
    public static HttpEndpoint start(String host, int port, PrometheusMeterRegistry registry, Runnable beforeScrape,
                                     Supplier<Optional<String>> notReady) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
            ExecutorService executor = Executors.newFixedThreadPool(2, new DaemonThreadFactory("dledger-http"));
            server.setExecutor(executor);
            server.createContext("/health/live", ex -> reply(ex, 200, "live\n"));
            server.createContext("/health/ready", ex -> {
                Optional<String> why = notReady.get();
                reply(ex, why.isEmpty() ? 200 : 503, why.map(w -> "not ready: " + w + "\n").orElse("ready\n"));
            });
            if (registry != null) {
                server.createContext("/metrics", ex -> {
                    beforeScrape.run();
                    reply(ex, 200, registry.scrape());
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
