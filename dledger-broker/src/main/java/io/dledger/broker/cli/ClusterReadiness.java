package io.dledger.broker.cli;

import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.local.LocalClients;
import io.dledger.broker.local.LocalCluster;
import io.dledger.broker.local.NodeAccess;
import io.dledger.broker.local.NodeProcess;
import io.dledger.client.ClusterView;
import io.dledger.client.DLedgerClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Whether a freshly started {@link LocalCluster} has settled: every running node answers, follows the same leader
 * and reports ready on {@code /health/ready}. Used by {@code cluster up} and {@code demo} before they go on.
 * Stateless; each call makes its own clients.
 */
final class ClusterReadiness {
    private ClusterReadiness() {
    }

    /**
     * Polls until every running node answers, follows the same leader and reports ready on
     * {@code /health/ready}; null on timeout or when a node process exits.
     */
    static ClusterView awaitLeader(LocalCluster cluster, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        // /health needs no token: only the trust, for http.tls
        NodeAccess health = new NodeAccess(LocalClients.httpTrust(cluster), null);
        HttpClient http = health.httpClient(Duration.ofSeconds(1));
        try (DLedgerClient c = LocalClients.builder(cluster).requestTimeout(Duration.ofSeconds(2))
                .operationTimeout(Duration.ofSeconds(5)).build()) {
            while (System.nanoTime() < deadline) {
                try {
                    ClusterView v = c.admin().describeCluster();
                    long running = cluster.nodes().stream().filter(NodeProcess::alive).count();
                    long following = v.nodes().stream().filter(n -> n.reachable() && v.leaderId() != null
                            && v.leaderId().equals(n.leaderId())).count();
                    if (v.leaderId() != null && following >= running && allReady(cluster, health, http)) {
                        return v;
                    }
                } catch (RuntimeException e) {
                    // nodes still starting
                }
                for (NodeProcess n : cluster.nodes()) {
                    if (n.pid() > 0 && !n.alive()) {
                        System.err.println("node " + n.id() + " exited; see " + n.logFile());
                        return null;
                    }
                }
                ClusterCommand.sleep(200);
            }
        }
        return null;
    }

    /** Every running node answers 200 on /health/ready (known leader, caught up). */
    private static boolean allReady(LocalCluster cluster, NodeAccess access, HttpClient http) {
        Map<String, String> settings = cluster.settings();
        String scheme = LocalClients.httpTls(settings) ? "https://" : "http://";
        String httpBind = LocalClients.nodeSetting(settings, ConfigKey.HTTP_BIND_HOST, System::getenv);
        String host = httpHost(httpBind != null ? httpBind
                : LocalClients.nodeSetting(settings, ConfigKey.GRPC_BIND_HOST, System::getenv));
        for (NodeProcess n : cluster.nodes()) {
            if (!n.alive()) {
                continue;
            }
            try {
                var r = http.send(access.httpRequest(URI.create(scheme + host + ":" + n.httpPort()
                        + "/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() != 200) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Where a local node's HTTP port answers: the interface {@code bindHost} ({@code http.bind.host}, else
     * {@code grpc.bind.host}) names, or 127.0.0.1 for none or a wildcard.
     */
    static String httpHost(String bindHost) {
        if (bindHost == null || bindHost.isBlank()) {
            return "127.0.0.1";
        }
        String bare = bindHost.strip().replaceAll("^\\[(.*)]$", "$1");
        if (bare.equals("0.0.0.0") || bare.equals("::")) {
            return "127.0.0.1";
        }
        return bare.contains(":") ? "[" + bare + "]" : bare;
    }
}
