package io.dledger.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WritePathSamplerTest {
    private static String node(double replicatedSum, long replicatedCount, double syncSum, long syncCount) {
        return "# HELP dledger_write_stage_seconds from the hand-over to JRaft until the leader applies the entry\n"
                + "# TYPE dledger_write_stage_seconds histogram\n"
                + "dledger_write_stage_seconds_bucket{stage=\"replicated\",le=\"0.001\"} 3\n"
                + "dledger_write_stage_seconds_count{stage=\"replicated\"} " + replicatedCount + "\n"
                + "dledger_write_stage_seconds_sum{stage=\"replicated\"} " + replicatedSum + "\n"
                + "dledger_write_stage_seconds_count{stage=\"applied\"} 0\n"
                + "dledger_write_stage_seconds_sum{stage=\"applied\"} 0.0\n"
                + "dledger_rpc_requests_seconds_count{method=\"Pull\"} 99\n"
                + "dledger_rpc_requests_seconds_sum{method=\"Pull\"} 9.0\n"
                + "dledger_raft_log_sync_seconds_count " + syncCount + "\n"
                + "dledger_raft_log_sync_seconds_sum " + syncSum + "\n";
    }

    @Test
    void parsesOnlyTheWritePathSeriesWithTheirLabels() {
        Map<String, double[]> m = WritePathSampler.parse(node(1.5, 1000, 0.3, 1200));
        assertThat(m.get("produce_stage_replicated_ms")).containsExactly(1.5, 1000);
        assertThat(m.get("raft_log_sync_ms")).containsExactly(0.3, 1200);
        assertThat(m).doesNotContainKey("produce_on_leader_ms"); // only Pull calls in this text
    }

    @Test
    void meansAreTheDifferenceOverTheWindowInMilliseconds() {
        Map<String, double[]> before = WritePathSampler.parse(node(1.0, 1000, 0.2, 1000));
        Map<String, double[]> after = WritePathSampler.parse(node(2.2, 2000, 0.5, 2000));
        Map<String, Double> means = WritePathSampler.means(before, after);
        assertThat(means.get("produce_stage_replicated_ms")).isCloseTo(1.2, within(1e-9));
        assertThat(means.get("raft_log_sync_ms")).isCloseTo(0.3, within(1e-9));
        assertThat(means).doesNotContainKey("produce_stage_applied_ms"); // no applies in the window
    }
}
