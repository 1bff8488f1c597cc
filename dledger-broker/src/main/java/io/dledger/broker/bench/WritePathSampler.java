package io.dledger.broker.bench;

import io.dledger.broker.local.NodeAccess;
import io.dledger.client.DLedgerClient;
import io.dledger.client.NodeView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Where a produce's time went on the nodes during a measured window: reads the write-path metrics from every
 * node's {@code /metrics} (Prometheus text; addresses from {@code describeCluster}) at the start and the end of
 * the window, takes each node's differences and adds up the nodes that answered both times with counters that did
 * not go back (a node that restarted in between is left out, and named). Metrics only the leader records (the
 * stages) stay right across a leader change, because all nodes are added. Also the CPU time the same nodes used
 * ({@link #cpuNanos}), so a run can be judged by its cost per message as well as by its speed.
 *
 * <p>Diagnostics only: a node that does not answer within {@link #TIMEOUT}, or answers nonsense, is skipped;
 * nothing here fails the benchmark. Not thread-safe: one benchmark phase uses it.
 */
final class WritePathSampler {
    /** A Prometheus summary/timer series (name without _sum/_count, labels as printed) and the RESULT it feeds. */
    record Series(String name, String labels, String metric, double scale) {
    }

    /**
     * The metrics URLs asked, and of those that answered: URL -> metric -> {sum, count}. A node asked but missing
     * from {@code nodes} did not answer.
     */
    record Sample(List<String> asked, Map<String, Map<String, double[]>> nodes) {
        Sample {
            asked = List.copyOf(asked);
            if (!asked.containsAll(nodes.keySet())) {
                throw new IllegalArgumentException("answers from nodes not asked: " + nodes.keySet());
            }
        }
    }

    private static final double MICROS = 1e6;
    /** Micrometer's counter of the process's CPU time ({@code ProcessorMetrics}), kept as {value, 0}. */
    static final String CPU_COUNTER = "process_cpu_time_ns_total";
    /** Micrometer's counter of JIT compilation time ({@code JvmCompilationMetrics}), in ms, one series per compiler. */
    static final String JIT_COUNTER = "jvm_compilation_time_ms_total";
    static final List<Series> SERIES = List.of(
            new Series("dledger_rpc_requests_seconds", "{method=\"Produce\"}", "produce_call_us", MICROS),
            new Series("dledger_write_stage_seconds", "{stage=\"queued\"}", "write_queued_us", MICROS),
            new Series("dledger_write_stage_seconds", "{stage=\"replicated\"}", "write_replicated_us", MICROS),
            new Series("dledger_write_stage_seconds", "{stage=\"applied\"}", "write_applied_us", MICROS),
            new Series("dledger_raft_log_append_seconds", "", "raft_log_append_us", MICROS),
            new Series("dledger_raft_log_append_entries", "", "raft_log_append_entries", 1));

    /** How long a node may take to answer: generous, since a busy node (or one still compiling) answers slowly. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final NodeAccess access;
    private final HttpClient http;
    private final List<String> urls;
    private final Set<String> refused = new HashSet<>(); // answered 401: http.auth wants a token

    WritePathSampler(List<String> urls, NodeAccess access) {
        this.urls = List.copyOf(urls);
        this.access = access;
        this.http = access.httpClient(TIMEOUT);
    }

    /**
     * A sampler over the nodes the cluster reports now (none when it cannot be asked), reading their {@code /metrics}
     * with {@code access}.
     */
    static WritePathSampler of(DLedgerClient client, NodeAccess access) {
        List<String> urls = new ArrayList<>();
        try {
            for (NodeView n : client.admin().describeCluster().nodes()) {
                if (n.metricsUrl() != null) {
                    urls.add(n.metricsUrl());
                }
            }
        } catch (RuntimeException e) {
            // no breakdown for this phase
        }
        return new WritePathSampler(urls, access);
    }

    /** Every node's series, asked in parallel; nodes that do not answer in time are missing from the sample. */
    Sample sample() {
        Map<String, CompletableFuture<HttpResponse<String>>> calls = new LinkedHashMap<>();
        for (String url : urls) {
            try {
                calls.put(url, http.sendAsync(access.httpRequest(URI.create(url)).timeout(TIMEOUT).build(),
                        HttpResponse.BodyHandlers.ofString()));
            } catch (RuntimeException e) {
                // a URL this client cannot use: skip the node
            }
        }
        Map<String, Map<String, double[]>> nodes = new LinkedHashMap<>();
        calls.forEach((url, call) -> {
            try {
                HttpResponse<String> r = call.join();
                if (r.statusCode() == 200) {
                    nodes.put(url, parse(r.body()));
                } else if (r.statusCode() == 401) {
                    refused.add(url);
                }
            } catch (RuntimeException e) {
                // did not answer in time, or not with metrics
            }
        });
        return new Sample(urls, nodes);
    }

    /** The nodes that refused this sampler's requests for want of a token they accept ({@code http.auth}). */
    Set<String> refused() {
        return Set.copyOf(refused);
    }

    /**
     * {@code metric -> {sum, count}} for each of {@link #SERIES} found in one node's Prometheus text, and
     * {@link #CPU_COUNTER} and {@link #JIT_COUNTER} (all compilers added up) as {@code {nanoseconds, 0}}.
     */
    static Map<String, double[]> parse(String prometheusText) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (String line : prometheusText.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (line.isEmpty() || line.charAt(0) == '#' || space < 0) {
                continue;
            }
            String key = line.substring(0, space);
            if (key.equals(CPU_COUNTER)) {
                try {
                    out.put(CPU_COUNTER, new double[] {Double.parseDouble(line.substring(space + 1)), 0});
                } catch (NumberFormatException e) {
                    // no CPU figure for this node
                }
            }
            if (key.equals(JIT_COUNTER) || key.startsWith(JIT_COUNTER + "{")) {
                try {
                    out.computeIfAbsent(JIT_COUNTER, k -> new double[2])[0] +=
                            Double.parseDouble(line.substring(space + 1)) * 1e6;
                } catch (NumberFormatException e) {
                    // no JIT figure for this compiler
                }
            }
            for (Series s : SERIES) {
                int part = key.equals(s.name() + "_sum" + s.labels()) ? 0
                        : key.equals(s.name() + "_count" + s.labels()) ? 1 : -1;
                if (part >= 0) {
                    try {
                        out.computeIfAbsent(s.metric(), m -> new double[2])[part] =
                                Double.parseDouble(line.substring(space + 1));
                    } catch (NumberFormatException e) {
                        out.remove(s.metric());
                    }
                }
            }
        }
        return out;
    }

    /**
     * The nodes left out of {@link #means}: asked but missing from either sample (including a node that answered
     * neither), or restarted in between (a counter went back).
     */
    static List<String> skipped(Sample before, Sample after) {
        List<String> out = new ArrayList<>();
        for (String url : union(before, after)) {
            if (!comparable(before.nodes().get(url), after.nodes().get(url))) {
                out.add(url);
            }
        }
        return out;
    }

    /** Mean per event of each series over the window, the comparable nodes added up; series without events left out. */
    static Map<String, Double> means(Sample before, Sample after) {
        Map<String, double[]> total = new LinkedHashMap<>();
        for (String url : union(before, after)) {
            Map<String, double[]> b = before.nodes().get(url);
            Map<String, double[]> a = after.nodes().get(url);
            if (!comparable(b, a)) {
                continue;
            }
            a.forEach((metric, av) -> {
                double[] bv = b.getOrDefault(metric, new double[2]);
                double[] t = total.computeIfAbsent(metric, m -> new double[2]);
                t[0] += av[0] - bv[0];
                t[1] += av[1] - bv[1];
            });
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Series s : SERIES) {
            double[] t = total.get(s.metric());
            if (t != null && t[1] > 0) {
                out.put(s.metric(), t[0] / t[1] * s.scale());
            }
        }
        return out;
    }

    /**
     * CPU time the nodes used over the window, in nanoseconds, added up over the nodes {@link #means} counts;
     * empty when none of them reported it (a node without Micrometer's process CPU counter is counted as 0).
     */
    static java.util.OptionalDouble cpuNanos(Sample before, Sample after) {
        return counterNanos(before, after, CPU_COUNTER);
    }

    /** Time the nodes' JIT compilers spent over the window, in nanoseconds, as {@link #cpuNanos} adds it up. */
    static java.util.OptionalDouble jitNanos(Sample before, Sample after) {
        return counterNanos(before, after, JIT_COUNTER);
    }

    private static java.util.OptionalDouble counterNanos(Sample before, Sample after, String counter) {
        double total = 0;
        boolean any = false;
        for (String url : union(before, after)) {
            Map<String, double[]> b = before.nodes().get(url);
            Map<String, double[]> a = after.nodes().get(url);
            if (comparable(b, a) && a.containsKey(counter) && b.containsKey(counter)) {
                total += a.get(counter)[0] - b.get(counter)[0];
                any = true;
            }
        }
        return any ? java.util.OptionalDouble.of(total) : java.util.OptionalDouble.empty();
    }

    private static List<String> union(Sample before, Sample after) {
        List<String> urls = new ArrayList<>();
        for (Sample s : List.of(before, after)) {
            s.asked().stream().filter(u -> !urls.contains(u)).forEach(urls::add);
        }
        return urls;
    }

    private static boolean comparable(Map<String, double[]> before, Map<String, double[]> after) {
        if (before == null || after == null) {
            return false;
        }
        for (Map.Entry<String, double[]> e : after.entrySet()) {
            double[] b = before.get(e.getKey());
            if (b != null && (e.getValue()[1] < b[1] || e.getValue()[0] < b[0])) {
                return false;
            }
        }
        return true;
    }
}
