package io.dledger.broker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.local.LocalCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Client commands given a wrong address or a contradictory option answer at once, saying what is wrong. */
@Timeout(20) // the commands' own --timeout is 30 s: an answer within 20 s is an answer that did not wait it out
class CliErrorsTest {
    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        StringWriter handlerErr = new StringWriter();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = DLedgerCli.newCommandLine().setErr(new PrintWriter(handlerErr, true)).execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8) + handlerErr);
    }

    /** A port on 127.0.0.1 that nothing listens on (bound, then released). */
    private static String deadAddress() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    /** The demo wipes its directory and purge deletes a cluster's: neither takes a directory holding other files. */
    @Test
    void aDirectoryWithOtherFilesIsRefusedForANewClusterAndForTheDemo(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path precious = Files.writeString(dir.resolve("precious.txt"), "keep me");
        for (String command : List.of("demo", "cluster up")) {
            List<String> args = new java.util.ArrayList<>(List.of(command.split(" ")));
            args.addAll(List.of("--dir", dir.toString()));
            Run r = cli(args.toArray(String[]::new));
            assertThat(r.code()).as(command).isEqualTo(2);
            assertThat(r.err()).as(command).contains(dir + " is not empty and holds no local cluster (no "
                    + "cluster.properties): give a new or empty directory");
            assertThat(precious).as(command).hasContent("keep me");
            assertThat(LocalCluster.exists(dir)).as(command).isFalse();
        }
    }

    /** The demo wipes an earlier demo's cluster, never one 'cluster up' made. */
    @Test
    void theDemoRefusesAClusterThatIsNotADemos(@org.junit.jupiter.api.io.TempDir Path dir) {
        LocalCluster.create(dir, 3, 0, java.util.Map.of()).save(); // as cluster up leaves it, its nodes stopped
        Run r = cli("demo", "--dir", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(dir + " holds a cluster that is not a demo's ('cluster up' made it?), which the "
                + "demo would wipe: give another directory");
        assertThat(LocalCluster.exists(dir)).isTrue();
    }

    @Test
    void anAddressWithoutAPortIsRefusedBeforeAnyCall() {
        Run r = cli("produce", "-t", "orders", "-m", "x", "-s", "garbage");
        assertThat(r.code()).isEqualTo(2); // bad input, like a parse error
        assertThat(r.err()).contains("seed address 'garbage' is not host:port")
                .as("no send was tried").doesNotContain("acknowledged");
    }

    @Test
    void aClusterOfWhichNoNodeAnswersFailsAtOnceNamingTheAddresses() throws Exception {
        String dead = deadAddress();
        for (String[] args : new String[][] {{"produce", "-t", "orders", "-m", "x", "-s", dead},
                {"consume", "-t", "orders", "-s", dead}, {"topic", "list", "-s", dead}, {"status", "-s", dead}}) {
            Run r = cli(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.err()).contains("error: no node is reachable at [" + dead + "]").contains("cluster up")
                    .as("no send was tried").doesNotContain("acknowledged");
        }
        Run bench = cli("bench", "produce", "-s", dead, "--threads", "1", "--warmup", "1", "--duration", "1");
        assertThat(bench.code()).isEqualTo(1);
        assertThat(bench.err()).contains("no node is reachable at [" + dead + "]");
    }

    @Test
    void aBenchmarksTokenFileThatCannotBeReadIsRefusedBeforeAnythingStarts() {
        Run r = cli("bench", "produce", "--local", "--token-file", "no-such-token-file");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--token-file: cannot read no-such-token-file: no such file");
        assertThat(r.out()).as("nothing started").doesNotContain("local cluster");
    }

    @Test
    void aBenchmarkNumberThatMakesNoSenseIsRefusedBeforeAnythingStarts() {
        for (String[] args : new String[][] {{"--windows", "0"}, {"--duration", "0"}, {"--threads", "8,0"},
                {"--warmup", "-1"}, {"--jit-warmup", "-1"}}) {
            List<String> line = new java.util.ArrayList<>(List.of("bench", "produce", "--local"));
            line.addAll(List.of(args));
            Run r = cli(line.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).contains(args[0]);
            assertThat(r.out()).as("nothing started").doesNotContain("local cluster");
        }
    }

    @Test
    void theRaftBenchmarkRefusesServersAsyncModeBadNumbersOrBadSettingsBeforeStartingAnything() throws Exception {
        Run servers = cli("bench", "raft", "-s", "127.0.0.1:1");
        assertThat(servers.code()).isEqualTo(2);
        assertThat(servers.err()).contains("bench raft").contains("takes no --servers");
        Run windows = cli("bench", "raft", "--windows", "0");
        assertThat(windows.code()).isEqualTo(2);
        assertThat(windows.err()).contains("--windows must be at least 1");
        Run async = cli("bench", "raft", "--mode", "async");
        assertThat(async.code()).isEqualTo(2);
        assertThat(async.err()).contains("--mode async").contains("takes no");
        Run token = cli("bench", "raft", "--token-file", "tokens");
        assertThat(token.code()).isEqualTo(2);
        assertThat(token.err()).contains("takes no --servers, --tls-ca, --token-file");
        Run mode = cli("bench", "raft", "--mode", "bogus");
        assertThat(mode.code()).isEqualTo(2);
        assertThat(mode.err()).contains("--mode is sync or async, not 'bogus'");
        Path used = Files.createTempDirectory("bench-used");
        Files.writeString(used.resolve(LocalCluster.STATE_FILE), "");
        Run reused = cli("bench", "raft", "--local-dir", used.toString());
        assertThat(reused.code()).isEqualTo(2);
        assertThat(reused.err()).contains("holds the cluster of an earlier run");
        Files.delete(used.resolve(LocalCluster.STATE_FILE));
        Files.delete(used);
        Run setting = cli("bench", "raft", "--set", "no.such.setting=1", "--set", "raft.log.storage=bogus");
        assertThat(setting.code()).isEqualTo(2);
        assertThat(setting.err()).contains("no.such.setting").contains("raft.log.storage");
        assertThat(servers.out() + windows.out() + async.out() + mode.out() + reused.out() + setting.out())
                .as("nothing started")
                .doesNotContain("three nodes in");
    }

    @Test
    void aMisspelledRequiredOptionIsNamedBesideTheMissingOne() {
        Run r = cli("produce", "--topik", "orders", "-m", "x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("error: Missing required option: '--topic=<topic>'")
                .contains("Not understood: --topik orders (misspelled option?)")
                .contains("Usage: dledger produce ").contains("'bin/dledger produce --help' describes every option")
                .as("the synopsis, not the whole help").doesNotContain("-h, --help");
        Run group = cli("group");
        assertThat(group.code()).isEqualTo(2);
        assertThat(group.err()).contains("error: Missing required subcommand").contains("reset-offsets")
                .contains("delete");
    }

    @Test
    void aGroupConsumerRefusesQueueAndFromInsteadOfIgnoringThem() {
        for (String option : new String[] {"--queue", "--from", "--node"}) {
            Run r = cli("consume", "-t", "orders", "--group", "g", option, "1", "-s", "127.0.0.1:1");
            assertThat(r.code()).as(option).isEqualTo(2);
            assertThat(r.err()).startsWith("error: --queue, --from and --node do not apply with --group");
        }
    }

    @Test
    void aNumberOutOfRangeIsNamedWithTheValueGivenBeforeAnyCall() {
        String[][] cases = {{"consume -t orders --from -5 --count -1", "--from must be at least 0, not -5",
                "--count must be at least 0, not -1"}, {"produce -t orders --size 0", "--size must be at least 1, not 0"},
                {"produce -t orders -m x --queue -1", "--queue must be at least 0, not -1"},
                {"consume -t orders --group g --idle-exit -1", "--idle-exit must be at least 0, not -1"},
                {"topic list --timeout 0", "--timeout must be at least 1 (seconds), not 0"}};
        for (String[] c : cases) {
            List<String> line = new java.util.ArrayList<>(List.of(c[0].split(" ")));
            line.addAll(List.of("-s", "127.0.0.1:1"));
            Run r = cli(line.toArray(String[]::new));
            assertThat(r.code()).as(c[0]).isEqualTo(2);
            assertThat(r.err()).as(c[0]).startsWith("error: ").contains(List.of(c).subList(1, c.length))
                    .doesNotContain("reachable");
        }
    }

    @Test
    void givenMessagesTakeNoCountOrSizeInsteadOfIgnoringThem() {
        for (String option : new String[] {"--count", "--size"}) {
            Run r = cli("produce", "-t", "orders", "-m", "a", option, "3", "-s", "127.0.0.1:1");
            assertThat(r.code()).as(option).isEqualTo(2);
            assertThat(r.err()).as(option).startsWith("error: --count and --size shape generated messages and do not "
                    + "apply with --message");
        }
    }

    @Test
    void killTakesANodeOrLeaderNotBoth() {
        Run r = cli("cluster", "kill", "n2", "--leader", "--dir", "/nonexistent");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: name a node or give --leader, not both");
    }
}
