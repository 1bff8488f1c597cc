package io.dledger.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.cli.DLedgerCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A short {@code bench all --local}: every metric line is printed and the loss check finds nothing
 * lost. It asserts no speed: performance is measured by running the benchmark, not by tests.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BenchSmokeIT {
    @Test
    void benchAllPrintsEveryMetricAndLosesNothing() {
        Path dir = Path.of("target", "it-clusters", "bench-" + System.nanoTime()).toAbsolutePath();
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = DLedgerCli.newCommandLine().execute("bench", "all", "--local", "--local-dir", dir.toString(),
                    "--threads", "1,4", "--warmup", "1", "--duration", "2", "--windows", "2", "--messages", "2000",
                    "--trials", "1");
        } finally {
            System.setOut(old);
            ClusterData.dropKeepingLogs(dir);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        old.print(out);
        assertThat(code).isZero();
        for (String metric : List.of("produce_msgs_per_s", "produce_mb_per_s", "produce_p50_ms", "produce_p99_ms",
                "produce_errors", "produce_call_us", "write_queued_us", "write_replicated_us", "write_applied_us",
                "raft_log_append_us", "raft_log_append_entries", "node_cpu_us_per_msg", "client_cpu_us_per_msg")) {
            assertThat(out).containsPattern("RESULT peer=dledger metric=" + metric + " threads=1 size=1024 value=[0-9.]+\n");
            assertThat(out).containsPattern("RESULT peer=dledger metric=" + metric + " threads=4 size=1024 value=[0-9.]+\n");
        }
        for (String metric : List.of("consume_msgs_per_s", "follower_read_share", "failover_recovery_ms",
                "failover_new_leader_visible_ms", "failover_failed_sends", "failover_recovery_ms_median",
                "failover_new_leader_visible_ms_median", "failover_failed_sends_median")) {
            assertThat(out).containsPattern("RESULT peer=dledger metric=" + metric + " value=[0-9.]+\n");
        }
        assertThat(out).contains("RESULT peer=dledger metric=loss_lost_acked value=0\n")
                .contains("RESULT peer=dledger metric=loss_duplicates value=0\n")
                .contains("# load average at start").contains("# load average at end")
                .contains("# CPU over the window: nodes ")
                .contains("# window 2 of 2: ");
    }
}
