package io.dledger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dledger.broker.cli.DLedgerCli;
import io.dledger.broker.local.LocalCluster;
import io.dledger.broker.local.NodeProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A short {@code bench all --local}: every metric line is printed and the loss check finds nothing
 * lost; a short {@code bench raft}: every metric line of the Raft layer alone is printed. They assert no speed:
 * performance is measured by running the benchmark, not by tests.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BenchSmokeIT {
    /** Exit code and standard output of one {@code dledger bench ...} run in this JVM. */
    private record Run(int code, String out) {
    }

    private static Run bench(Path dir, String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        List<String> line = new java.util.ArrayList<>(List.of("bench"));
        line.addAll(List.of(args));
        line.addAll(List.of("--local-dir", dir.toString()));
        int code;
        try {
            code = DLedgerCli.newCommandLine().execute(line.toArray(String[]::new));
        } finally {
            System.setOut(old);
            ClusterData.dropKeepingLogs(dir);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        old.print(out);
        return new Run(code, out);
    }

    private static Path newDir() {
        return Path.of("target", "it-clusters", "bench-" + System.nanoTime()).toAbsolutePath();
    }

    @Test
    void benchAllPrintsEveryMetricAndLosesNothing() {
        Run run = bench(newDir(), "all", "--local", "--threads", "1,4", "--warmup", "1", "--duration", "2",
                "--windows", "2", "--messages", "2000", "--trials", "1", "--jit-warmup", "3");
        String out = run.out();
        assertThat(run.code()).isZero();
        for (String metric : List.of("produce_msgs_per_s", "produce_mb_per_s", "produce_p50_ms", "produce_p99_ms",
                "produce_errors", "produce_call_us", "write_queued_us", "write_replicated_us", "write_applied_us",
                "raft_log_append_us", "raft_log_append_entries", "node_cpu_us_per_msg", "client_cpu_us_per_msg")) {
            assertThat(out).containsPattern("RESULT peer=dledger metric=" + metric
                    + " threads=1 size=1024 value=[0-9.]+\n");
            assertThat(out).containsPattern("RESULT peer=dledger metric=" + metric
                    + " threads=4 size=1024 value=[0-9.]+\n");
        }
        for (String metric : List.of("consume_msgs_per_s", "follower_read_share", "failover_recovery_ms",
                "failover_new_leader_visible_ms", "failover_failed_sends", "failover_recovery_ms_median",
                "failover_new_leader_visible_ms_median", "failover_failed_sends_median")) {
            assertThat(out).containsPattern("RESULT peer=dledger metric=" + metric + " value=[0-9.]+\n");
        }
        assertThat(out).contains("RESULT peer=dledger metric=loss_lost_acked value=0\n")
                .contains("RESULT peer=dledger metric=loss_duplicates value=0\n")
                .contains("# replicas: identical on n1, n2, n3").doesNotContain("# FAILED")
                .contains("# load average at start").contains("# load average at end")
                .contains("# CPU over the window: nodes ")
                .containsPattern("# JIT warm-up: 4 threads sync until the compilers settle, at most [0-9]+ s "
                        + "\\(--jit-warmup 0 skips it\\)")
                .containsPattern("# JIT warm-up, 4 threads sync, [0-9]+ s in: ")
                .contains("# window 2 of 2: ")
                .contains("# consume: measured read 2 of 2: 2000 messages");
        assertThat(out.split("metric=consume_msgs_per_s ", -1)).as("one median over both reads").hasSize(2);
    }

    @Test
    void benchRaftRunsTheRaftLayerAloneOnThreeNodesAndPrintsEveryMetric() throws Exception {
        Path dir = newDir();
        java.nio.file.Files.createDirectories(dir.resolve("n1"));
        java.nio.file.Files.writeString(dir.resolve("n1").resolve("raft-bench.out"), "# stale report of an earlier "
                + "run\n# raft bench done\n"); // a kept --local-dir: the earlier report must not be taken for this one
        Run run = bench(dir, "raft", "--threads", "1,4", "--warmup", "1", "--duration", "2", "--windows", "2");
        assertThat(run.code()).isZero();
        for (String metric : List.of("raft_entries_per_s", "raft_p50_ms", "raft_p99_ms", "raft_errors",
                "node_cpu_us_per_entry")) {
            for (int threads : new int[] {1, 4}) {
                assertThat(run.out()).containsPattern("RESULT peer=dledger metric=" + metric + " threads=" + threads
                        + " size=1024 value=[0-9.]+\n");
            }
        }
        assertThat(run.out()).contains("metric=raft_errors threads=4 size=1024 value=0\n")
                .contains("# window 2 of 2: ").contains("# CPU over the window: nodes ")
                .contains("# JIT compiling over the window").doesNotContain("stale report")
                .endsWith("# raft bench done\n");
        assertThat(LocalCluster.load(dir).nodes()).as("every node stopped").noneMatch(NodeProcess::alive);
    }

    @Test
    void aBenchmarkStoppedOrKilledWhileItsNodesStartLeavesNoNodeRunning() throws Exception {
        for (boolean kill : new boolean[] {false, true}) {
            Path dir = newDir();
            // SIGTERM: bench --local, whose broker nodes only its shutdown hook stops; kill -9: bench raft, whose
            // nodes end with the benchmark's process
            List<String> line = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
                    "java").toString(), "-cp", System.getProperty("java.class.path"), DLedgerCli.class.getName(),
                    "bench"));
            line.addAll(kill ? List.of("raft") : List.of("produce", "--local"));
            line.addAll(List.of("--local-dir", dir.toString(), "--threads", "1", "--warmup", "120", "--duration", "5"));
            Process bench = new ProcessBuilder(line).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                // as soon as the first node's process runs: it may not be in the cluster file yet, nor started Raft
                await().atMost(Duration.ofMinutes(1)).until(() -> bench.children().anyMatch(ProcessHandle::isAlive));
                if (kill) {
                    bench.destroyForcibly(); // kill -9: no hook runs; the nodes watch the benchmark's process
                } else {
                    bench.destroy(); // SIGTERM, which runs the shutdown hooks as Ctrl-C does
                }
                assertThat(bench.waitFor(1, TimeUnit.MINUTES)).isTrue();
                await("no node outlives the benchmark (" + (kill ? "kill -9" : "SIGTERM") + ")")
                        .atMost(Duration.ofSeconds(40)).until(() -> nodesOf(dir).isEmpty());
            } finally {
                bench.destroyForcibly();
                nodesOf(dir).forEach(ProcessHandle::destroyForcibly);
                ClusterData.dropKeepingLogs(dir);
            }
        }
    }

    /**
     * The live processes whose command line names {@code dir}: the nodes of a cluster there. Read from Linux's
     * {@code /proc/<pid>/cmdline}: {@code ProcessHandle.Info} may leave a long command line out.
     */
    private static List<ProcessHandle> nodesOf(Path dir) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive).filter(p -> {
            try {
                byte[] line = java.nio.file.Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                return new String(line, StandardCharsets.UTF_8).contains(dir.toString());
            } catch (java.io.IOException | RuntimeException e) { // gone meanwhile, or not ours to read
                return false;
            }
        }).toList();
    }
}
