package io.dledger.broker.bench;

import io.dledger.client.DLedgerClient;
import io.dledger.client.NodeView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a produce's time went on the nodes during a measured window: reads the write-path timers from every node's
 * {@code /metrics} (Prometheus text; addresses from {@code describeCluster}) at the start and the end of the
 * window, adds the nodes up and turns the differences into means. Metrics only the leader records (the stages)
 * stay right across a leader change, because all nodes are added.
 *
 * <p>Not thread-safe: one benchmark phase uses it.
 */
final class WritePathSampler {
    /** A Prometheus summary/timer series (name without _sum/_count, labels as printed) and the RESULT it feeds. */
    record Series(String name, String labels, String metric, double scale) {
    }

    static final List<Series> SERIES = List.of(
            new Series("dledger_rpc_requests_seconds", "{method=\"Produce\"}", "produce_on_leader_ms", 1000),
            new Series("dledger_write_stage_seconds", "{stage=\"queued\"}", "produce_stage_queued_ms", 1000),
            new Series("dledger_write_stage_seconds", "{stage=\"replicated\"}", "produce_stage_replicated_ms", 1000),
            new Series("dledger_write_stage_seconds", "{stage=\"applied\"}", "produce_stage_applied_ms", 1000),
            new Series("dledger_raft_log_sync_seconds", "", "raft_log_sync_ms", 1000),
            new Series("dledger_raft_log_append_entries", "", "raft_log_append_entries", 1));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<String> urls;

    private WritePathSampler(List<String> urls) {
        this.urls = urls;
    }

    /** A sampler over the nodes the cluster reports now. */
    static WritePathSampler of(DLedgerClient client) {
        List<String> urls = new ArrayList<>();
        for (NodeView n : client.admin().describeCluster().nodes()) {
            if (n.metricsUrl() != null) {
                urls.add(n.metricsUrl());
            }
        }
        return new WritePathSampler(urls);
    }

    /** Sum and count of every {@link #SERIES} over the reachable nodes; a node that does not answer is left out. */
    Map<String, double[]> sample() {
        Map<String, double[]> total = new LinkedHashMap<>();
        for (String url : urls) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    parse(r.body()).forEach((k, v) -> total.merge(k, v, (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]}));
                }
            } catch (java.io.IOException e) {
                // a node down (failover) has nothing to add
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return total;
    }

    /** {@code metric -> {sum, count}} for each of {@link #SERIES} found in one node's Prometheus text. */
    static Map<String, double[]> parse(String prometheusText) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (String line : prometheusText.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String key = line.substring(0, space);
            for (Series s : SERIES) {
                int part = key.equals(s.name() + "_sum" + s.labels()) ? 0
                        : key.equals(s.name() + "_count" + s.labels()) ? 1 : -1;
                if (part >= 0) {
                    out.computeIfAbsent(s.metric(), m -> new double[2])[part] = Double.parseDouble(line.substring(space + 1));
                }
            }
        }
        return out;
    }

    /** Mean per event of each series between two samples, scaled (seconds to ms); series without events are left out. */
    static Map<String, Double> means(Map<String, double[]> before, Map<String, double[]> after) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Series s : SERIES) {
            double[] a = after.get(s.metric());
            if (a == null) {
                continue;
            }
            double[] b = before.getOrDefault(s.metric(), new double[2]);
            double count = a[1] - b[1];
            if (count > 0) {
                out.put(s.metric(), (a[0] - b[0]) / count * s.scale());
            }
        }
        return out;
    }
}
