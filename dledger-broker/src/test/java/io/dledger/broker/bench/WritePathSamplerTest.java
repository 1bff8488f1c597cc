package io.dledger.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dledger.broker.local.NodeAccess;
import io.dledger.broker.metrics.HttpEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WritePathSamplerTest {
    /** One node's /metrics as Micrometer's Prometheus registry prints it (exponents included). */
    private static String node(double replicatedSum, long replicatedCount, double appendSum, long appendCount) {
        return "# HELP dledger_write_stage_seconds a client write's time on the leader, by stage\n"
                + "# TYPE dledger_write_stage_seconds histogram\n"
                + "dledger_write_stage_seconds_bucket{stage=\"replicated\",le=\"0.001\"} 3\n"
                + "dledger_write_stage_seconds_count{stage=\"replicated\"} " + replicatedCount + "\n"
                + "dledger_write_stage_seconds_sum{stage=\"replicated\"} " + replicatedSum + "\n"
                + "dledger_write_stage_seconds_count{stage=\"applied\"} 0\n"
                + "dledger_write_stage_seconds_sum{stage=\"applied\"} 0.0\n"
                + "dledger_rpc_requests_seconds_count{method=\"Pull\"} 99\n"
                + "dledger_rpc_requests_seconds_sum{method=\"Pull\"} 9.0\n"
                + "dledger_raft_log_append_seconds_count " + appendCount + "\n"
                + "dledger_raft_log_append_seconds_sum " + appendSum + "\n";
    }

    private static WritePathSampler.Sample sample(String... urlAndText) {
        Map<String, Map<String, double[]>> nodes = new java.util.LinkedHashMap<>();
        for (int i = 0; i < urlAndText.length; i += 2) {
            nodes.put(urlAndText[i], WritePathSampler.parse(urlAndText[i + 1]));
        }
        return new WritePathSampler.Sample(List.copyOf(nodes.keySet()), nodes);
    }

    /** A node with http.auth refuses a sampler without its token: bench names it instead of a silent gap. */
    @Test
    void aNodeThatAsksForATokenIsNamedAsRefused() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Runnable nothing = () -> { };
        try (HttpEndpoint open = HttpEndpoint.start("127.0.0.1", 0, null,
                new HttpEndpoint.Metrics(registry, nothing, null), Optional::empty);
             HttpEndpoint closed = HttpEndpoint.start("127.0.0.1", 0, null,
                     new HttpEndpoint.Metrics(registry, nothing, authorization -> false), Optional::empty)) {
            String openUrl = "http://127.0.0.1:" + open.port() + "/metrics";
            String closedUrl = "http://127.0.0.1:" + closed.port() + "/metrics";
            WritePathSampler sampler = new WritePathSampler(List.of(openUrl, closedUrl), NodeAccess.NONE);
            WritePathSampler.Sample s = sampler.sample();
            assertThat(s.nodes()).containsOnlyKeys(openUrl);
            assertThat(sampler.refused()).containsExactly(closedUrl);
        }
    }

    @Test
    void parsesOnlyTheWritePathSeriesWithTheirLabels() {
        Map<String, double[]> m = WritePathSampler.parse(node(1.5, 1000, 3.8E-4, 2));
        assertThat(m.get("write_replicated_us")).containsExactly(1.5, 1000);
        assertThat(m.get("raft_log_append_us")).containsExactly(3.8E-4, 2);
        assertThat(m).doesNotContainKey("produce_call_us"); // only Pull calls in this text
        assertThat(WritePathSampler.parse("dledger_raft_log_append_seconds_sum NaN-ish\n")).isEmpty();
    }

    @Test
    void meansAreEachNodesDifferenceAddedUpInMicroseconds() {
        WritePathSampler.Sample before = sample("a", node(1.0, 1000, 0.2, 1000), "b", node(0, 0, 0.1, 500));
        WritePathSampler.Sample after = sample("a", node(2.2, 2000, 0.5, 2000), "b", node(0, 0, 0.4, 1500));
        Map<String, Double> means = WritePathSampler.means(before, after);
        assertThat(means.get("write_replicated_us")).isCloseTo(1200, within(1e-6)); // only the leader (a) had writes
        assertThat(means.get("raft_log_append_us")).isCloseTo(300, within(1e-6)); // (0.3 + 0.3) s / 2000 appends
        assertThat(means).doesNotContainKey("write_applied_us"); // no applies in the window
        assertThat(WritePathSampler.skipped(before, after)).isEmpty();
    }

    @Test
    void cpuTimeIsEachComparableNodesDifferenceAddedUp() {
        WritePathSampler.Sample before = sample("a", node(1.0, 1000, 0.2, 1000) + "process_cpu_time_ns_total 5.67E9\n",
                "b", node(0, 0, 0.1, 500) + "process_cpu_time_ns_total 2.0E9\n",
                "c", node(0, 0, 5.0, 9000) + "process_cpu_time_ns_total 9.0E9\n");
        WritePathSampler.Sample after = sample("a", node(2.2, 2000, 0.5, 2000) + "process_cpu_time_ns_total 1.567E10\n",
                "b", node(0, 0, 0.4, 1500) + "process_cpu_time_ns_total 6.0E9\n",
                "c", node(0, 0, 0.1, 200) + "process_cpu_time_ns_total 1.0E9\n"); // c restarted
        assertThat(WritePathSampler.cpuNanos(before, after)).hasValue(14e9);
        assertThat(WritePathSampler.means(before, after)).doesNotContainKey(WritePathSampler.CPU_COUNTER);
        assertThat(WritePathSampler.cpuNanos(sample("a", node(1, 1, 1, 1)), sample("a", node(2, 2, 2, 2)))).isEmpty();
    }

    @Test
    void jitTimeAddsUpTheCompilersOfEachComparableNode() {
        String c1 = "jvm_compilation_time_ms_total{compiler=\"HotSpot 64-Bit Tiered Compilers\"} ";
        WritePathSampler.Sample before = sample("a", node(1, 1, 1, 1) + c1 + "1000.0\n",
                "b", node(1, 1, 1, 1) + c1 + "500.0\n" + "jvm_compilation_time_ms_total{compiler=\"other\"} 100.0\n");
        WritePathSampler.Sample after = sample("a", node(2, 2, 2, 2) + c1 + "3500.0\n",
                "b", node(2, 2, 2, 2) + c1 + "600.0\n" + "jvm_compilation_time_ms_total{compiler=\"other\"} 150.0\n");
        assertThat(WritePathSampler.jitNanos(before, after)).hasValue(2.65e9); // 2,500 + 100 + 50 ms
        assertThat(WritePathSampler.jitNanos(sample("a", node(1, 1, 1, 1)), sample("a", node(2, 2, 2, 2)))).isEmpty();
    }

    @Test
    void aNodeMissingFromOneSampleOrRestartedIsLeftOutAndNamed() {
        WritePathSampler.Sample before = sample("a", node(1.0, 1000, 0.2, 1000), "b", node(0, 0, 5.0, 9000),
                "c", node(0, 0, 1.0, 100));
        WritePathSampler.Sample after = sample("a", node(2.2, 2000, 0.5, 2000), "b", node(0, 0, 0.1, 200),
                "d", node(0, 0, 9.0, 900));
        Map<String, Double> means = WritePathSampler.means(before, after);
        assertThat(means.get("raft_log_append_us")).isCloseTo(300, within(1e-6)); // node a only
        assertThat(WritePathSampler.skipped(before, after)).containsExactly("b", "c", "d");
    }

    @Test
    void aNodeAskedTwiceThatAnsweredNeitherTimeIsNamed() {
        Map<String, Map<String, double[]>> onlyA = Map.of("a", WritePathSampler.parse(node(1, 1, 1, 1)));
        Map<String, Map<String, double[]>> onlyA2 = Map.of("a", WritePathSampler.parse(node(2, 2, 2, 2)));
        WritePathSampler.Sample before = new WritePathSampler.Sample(List.of("a", "b"), onlyA);
        WritePathSampler.Sample after = new WritePathSampler.Sample(List.of("a", "b"), onlyA2);
        assertThat(WritePathSampler.skipped(before, after)).containsExactly("b");
        assertThat(WritePathSampler.means(before, after).get("raft_log_append_us")).isCloseTo(1e6, within(1e-6));
    }
}
