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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The command line as a user runs it: demo, cluster up/status/down, topic, produce, consume, status. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CliIT {
    private final Path dir = Path.of("target", "it-clusters", "cli-" + System.nanoTime()).toAbsolutePath();

    /** Runs a CLI command in this JVM (nodes it starts are separate processes) and returns its output. */
    private static Run cli(String... args) {
        PrintStream old = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ByteArrayOutputStream errBuf = new ByteArrayOutputStream(); // the commands' own notes and checks
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(errBuf, true, StandardCharsets.UTF_8));
        java.io.StringWriter err = new java.io.StringWriter(); // what the error handler prints
        int code;
        try {
            code = DLedgerCli.newCommandLine().setErr(new java.io.PrintWriter(err, true)).execute(args);
        } finally {
            System.setOut(old);
            System.setErr(oldErr);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        String errors = errBuf.toString(StandardCharsets.UTF_8) + err;
        old.print(out);
        oldErr.print(errors);
        return new Run(code, out, errors);
    }

    private record Run(int code, String out, String err) {
    }

    @AfterEach
    void cleanUp() {
        if (LocalCluster.exists(dir)) {
            LocalCluster.load(dir).stopAll(Duration.ofSeconds(10));
        }
        ClusterData.dropKeepingLogs(dir);
    }

    @Test
    void demoPasses() {
        Run r = cli("demo", "--messages", "200", "--dir", dir.toString());
        assertThat(r.out()).contains("DEMO PASSED").contains("from the kill to the first acknowledged produce");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("data removed");
        assertThat(dir).as("a passing demo removes its data").doesNotExist();
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(cmd -> cmd.contains(dir.toString()))).as("node processes of the demo").isEmpty();
    }

    @Test
    void addNodeJoinsTheGroupAndRemoveNodeTakesItOut() {
        assertThat(cli("cluster", "up", "--dir", dir.toString(), "--base-port", "0").code()).isZero();
        String servers = LocalCluster.load(dir).seeds();
        assertThat(cli("topic", "create", "grow", "--queues", "2", "-s", servers).code()).isZero();
        assertThat(cli("produce", "-s", servers, "-t", "grow", "--count", "100", "--size", "10", "--quiet").code())
                .isZero();

        Run add = cli("cluster", "add-node", "--dir", dir.toString());
        assertThat(add.code()).isZero();
        assertThat(add.out()).contains("started n4").containsPattern("members now: \\[.*n4.*]");
        assertThat(LocalCluster.load(dir).nodes()).hasSize(4).allMatch(NodeProcess::alive);
        String four = LocalCluster.load(dir).seeds();
        assertThat(cli("status", "-s", four).out()).containsPattern("n4 +127\\.0\\.0\\.1:\\d+ +FOLLOWER");
        Run compare = cli("topic", "compare", "grow", "-s", four);
        assertThat(compare.code()).as(compare.out()).isZero();
        assertThat(compare.out()).containsPattern("grow: identical on (n\\d, ){3}n\\d \\(2 queues, 100 messages\\)")
                .contains("n4");

        Run remove = cli("cluster", "remove-node", "n4", "--dir", dir.toString());
        assertThat(remove.code()).isZero();
        assertThat(remove.out()).doesNotContainPattern("members now: \\[.*n4.*]").contains("stopped n4");
        assertThat(LocalCluster.load(dir).nodes()).hasSize(3).allMatch(NodeProcess::alive);
        assertThat(cli("topic", "describe", "grow", "-s", servers).out()).contains("100 messages");

        // a node started for the cluster but never added (an add that lost its leader leaves one running)
        LocalCluster cluster = LocalCluster.load(dir);
        String stray = cluster.start(cluster.addNode().id()).id();
        Run removeStray = cli("cluster", "remove-node", stray, "--dir", dir.toString());
        assertThat(removeStray.code()).isZero();
        assertThat(removeStray.out()).contains(stray + " is not in the Raft group").contains("stopped " + stray);
        assertThat(LocalCluster.load(dir).nodes()).extracting(NodeProcess::id).containsExactly("n1", "n2", "n3");

        // the leader hands over before it is removed
        String leader;
        try (io.dledger.client.DLedgerClient c = io.dledger.broker.local.LocalClients.builder(LocalCluster.load(dir))
                .build()) {
            leader = await().atMost(Duration.ofSeconds(30)).until(() -> c.admin().leaderId(),
                    java.util.Optional::isPresent).orElseThrow();
        }
        Run removeLeader = cli("cluster", "remove-node", leader, "--dir", dir.toString());
        assertThat(removeLeader.code()).isZero();
        assertThat(removeLeader.out()).contains(leader + " leads; handing leadership over first")
                .contains("leader now: ").doesNotContainPattern("members now: \\[.*" + leader + ".*]");
        List<String> two = LocalCluster.load(dir).nodes().stream().map(NodeProcess::id).toList();
        assertThat(two).hasSize(2).doesNotContain(leader);

        // without a leader an add starts nothing
        assertThat(cli("cluster", "kill", two.get(0), "--dir", dir.toString()).code()).isZero();
        String oneLeft = LocalCluster.load(dir).seeds();
        await().atMost(Duration.ofSeconds(30)).until(() -> cli("status", "-s", oneLeft).code() == 3);
        Run refused = cli("cluster", "add-node", "--dir", dir.toString());
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("no leader now (1 of 2 nodes answer: fewer than a majority")
                .contains("a node is added through the leader");
        assertThat(LocalCluster.load(dir).nodes()).extracting(NodeProcess::id).containsExactlyElementsOf(two);
    }

    @Test
    void aNodeThatCannotStartIsNotAddedAndIsForgotten() throws Exception {
        assertThat(cli("cluster", "up", "--dir", dir.toString(), "--base-port", "0").code()).isZero();
        String servers = LocalCluster.load(dir).seeds();

        // a separate process, for the environment: the new node's JVM gets a flag it refuses, and exits at once
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DLedgerCli.class.getName(), "cluster", "add-node",
                "--dir", dir.toString()).redirectErrorStream(true);
        pb.environment().put(LocalCluster.NODE_JAVA_OPTS_ENV, "-XX:+NoSuchOptionForThisTest");
        Process add = pb.start();
        String out;
        try {
            out = new String(add.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(add.waitFor(2, TimeUnit.MINUTES)).isTrue();
        } finally {
            add.destroyForcibly();
        }
        System.out.print(out);

        assertThat(add.exitValue()).isNotZero();
        assertThat(out).contains("n4 exited").contains("stopped n4, which the cluster did not add");
        assertThat(java.nio.file.Files.readString(dir.resolve("n4").resolve("node.log")))
                .as("the log the error points to says why").contains("Unrecognized VM option");
        assertThat(LocalCluster.load(dir).nodes()).extracting(NodeProcess::id).containsExactly("n1", "n2", "n3");
        assertThat(LocalCluster.load(dir).nodes()).allMatch(NodeProcess::alive);
        Run status = cli("status", "-s", servers);
        assertThat(status.out()).contains("LEADER", "DISK FREE").containsPattern("\\d\\.\\d GiB").doesNotContain("n4");
    }

    @Test
    void clusterUpProduceConsumeStatusDown() {
        Run up = cli("cluster", "up", "--dir", dir.toString(), "--base-port", "0");
        assertThat(up.code()).isZero();
        assertThat(up.out()).contains("leader: n");
        List<NodeProcess> nodes = LocalCluster.load(dir).nodes();
        assertThat(nodes).hasSize(3).allMatch(NodeProcess::alive);
        String servers = LocalCluster.load(dir).seeds();

        Run again = cli("cluster", "up", "--dir", dir.toString());
        assertThat(again.code()).as("up is idempotent").isZero();
        assertThat(again.out()).contains("every node already runs");
        assertThat(cli("topic", "create", "cli-topic", "--queues", "2", "-s", servers).out())
                .contains("created cli-topic with 2 queues");
        assertThat(cli("produce", "-s", servers, "-t", "cli-topic", "-m", "hello", "-m", "world", "-q", "1").out())
                .contains("sent cli-topic/1@0").contains("sent cli-topic/1@1").contains("2 messages acknowledged");
        assertThat(cli("produce", "-s", servers, "-t", "cli-topic", "--count", "50", "--size", "10", "--quiet").code())
                .isZero();
        Run huge = cli("produce", "-s", servers, "-t", "cli-topic", "--count", "1", "--size", "20000000");
        assertThat(huge.code()).as("over what the node's gRPC layer reads: bad input too").isEqualTo(2);
        assertThat(huge.err()).contains("BATCH_TOO_LARGE").contains("message.max.bytes");
        Run consume = cli("consume", "-s", servers, "-t", "cli-topic", "-q", "1", "--from", "0", "-n", "2");
        assertThat(consume.out()).contains("cli-topic/1@0").contains("hello").contains("world")
                .contains("2 messages");
        assertThat(cli("topic", "describe", "cli-topic", "-s", servers).out()).contains("52 messages");
        assertThat(cli("consume", "-s", servers, "-t", "cli-topic", "-q", "1", "--from-time", "2000-01-01", "-n",
                "2").out()).contains("cli-topic/1@0").contains("hello").contains("cli-topic/1@1")
                .contains("2 messages");
        assertThat(cli("consume", "-s", servers, "-t", "cli-topic", "--from-time", "2100-01-01T00:00:00Z").out())
                .as("nothing stored that late").contains("0 messages");
        assertThat(cli("consume", "-s", servers, "-t", "cli-topic", "-g", "late-group", "--from-time", "2100-01-01",
                "--idle-exit", "1").out()).contains("0 messages");
        assertThat(cli("group", "describe", "late-group", "-t", "cli-topic", "-s", servers).out())
                .as("its queues started, and committed, at their ends").contains("lag 0 messages");
        assertThat(cli("topic", "create", "tagged", "--queues", "1", "-s", servers).code()).isZero();
        assertThat(cli("produce", "-s", servers, "-t", "tagged", "-m", "plain").code()).isZero();
        assertThat(cli("produce", "-s", servers, "-t", "tagged", "--tags", "red", "-m", "r1").code()).isZero();
        assertThat(cli("produce", "-s", servers, "-t", "tagged", "--tags", "blue", "-m", "b1").code()).isZero();
        assertThat(cli("consume", "-s", servers, "-t", "tagged", "--tag", "red", "--tag", "blue").out())
                .contains("tagged/0@1 tags=red r1").contains("tagged/0@2 tags=blue b1").doesNotContain("plain")
                .contains("2 messages");
        assertThat(cli("consume", "-s", servers, "-t", "tagged", "-g", "reds", "--tag", "red", "--idle-exit", "1")
                .out()).contains("r1").doesNotContain("b1").contains("1 message ");
        assertThat(cli("group", "describe", "reds", "-t", "tagged", "-s", servers).out())
                .as("the messages passed over count as consumed").contains("lag 0 messages");
        assertThat(cli("group", "describe", "cli-group", "-t", "cli-topic", "-s", servers).out())
                .contains("group cli-group on topic cli-topic: 0 live members, lag 52 messages");
        assertThat(cli("consume", "-s", servers, "-t", "cli-topic", "-g", "cli-group", "-n", "52").code()).isZero();
        assertThat(cli("group", "describe", "cli-group", "-t", "cli-topic", "-s", servers, "--json").out())
                .contains("\"totalLag\": 0").doesNotContain("\"committedOffset\": null");
        assertThat(cli("group", "list", "-t", "cli-topic", "-s", servers).out())
                .containsPattern("cli-group +cli-topic +0 +0");
        Run plan = cli("group", "reset-offsets", "cli-group", "-t", "cli-topic", "--to-earliest", "-s", servers);
        assertThat(plan.out()).containsPattern("\\n  1 +\\d+ +0 +0 +\\d+\\n").contains("dry run: nothing changed");
        assertThat(cli("group", "describe", "cli-group", "-t", "cli-topic", "-s", servers).out())
                .as("a dry run changes nothing").contains("lag 0 messages");
        assertThat(cli("group", "reset-offsets", "cli-group", "-t", "cli-topic", "-q", "5", "--to-latest", "-s",
                servers).code()).isEqualTo(2);
        assertThat(cli("group", "reset-offsets", "cli-group", "-t", "cli-topic", "--to-offset", "-1", "-s",
                servers).code()).isEqualTo(2);
        Run typoPlan = cli("group", "reset-offsets", "cli-grup", "-t", "cli-topic", "--to-offset", "26", "-s", servers);
        assertThat(typoPlan.err()).contains("group 'cli-grup' has no live members and no committed offsets")
                .containsPattern("queue 0: offset 26 is outside its offsets \\[0, 2\\d\\]; planned at 2\\d");
        Run badTime = cli("group", "reset-offsets", "cli-group", "-t", "cli-topic", "--to-time", "yesterday", "-s",
                servers);
        assertThat(badTime.code()).isEqualTo(2);
        assertThat(badTime.err()).contains("--to-time: cannot read 'yesterday'");
        assertThat(cli("group", "reset-offsets", "cli-group", "-t", "cli-topic", "--to-time", "2000-01-01T00:00:00Z",
                "-s", servers).out()).as("older than every message: each queue's first")
                .containsPattern("\\n  0 +\\d+ +0 +0 +\\d+\\n").containsPattern("\\n  1 +\\d+ +0 +0 +\\d+\\n");
        assertThat(cli("group", "reset-offsets", "cli-group", "-t", "cli-topic", "-q", "1", "--to-time", "2100-01-01",
                "-s", servers).out()).as("newer than every message: the queue's end")
                .containsPattern("\\n  1 +\\d+ +(\\d+) +0 +\\1\\n").doesNotContainPattern("\\n  0 ");
        Run shift = cli("group", "reset-offsets", "cli-group", "-t", "cli-topic", "-q", "1", "--shift-by", "-2",
                "--execute", "-s", servers);
        assertThat(shift.out()).contains("reset: group cli-group starts from these offsets on cli-topic");
        assertThat(cli("group", "describe", "cli-group", "-t", "cli-topic", "-s", servers).out())
                .contains("lag 2 messages");
        Run replayed = cli("consume", "-s", servers, "-t", "cli-topic", "-g", "cli-group", "-n", "2");
        assertThat(replayed.out()).containsPattern("cli-topic/1@\\d+").contains("2 messages");
        assertThat(cli("group", "describe", "cli-group", "-t", "cli-topic", "-s", servers).out())
                .contains("lag 0 messages");
        assertThat(cli("consume", "-s", servers, "-t", "cli-topic", "-g", "old-group", "-n", "1").code()).isZero();
        assertThat(cli("group", "list", "-t", "cli-topic", "-s", servers).out()).contains("old-group");
        assertThat(cli("group", "delete", "old-group", "-t", "cli-topic", "-s", servers).out())
                .contains("deleted group old-group's offsets on cli-topic");
        assertThat(cli("group", "list", "-t", "cli-topic", "-s", servers).out()).doesNotContain("old-group")
                .contains("cli-group");
        assertThat(cli("group", "delete", "old-group", "-t", "cli-topic", "-s", servers).out())
                .contains("group old-group had no offsets on cli-topic: nothing deleted");
        Run json = cli("status", "-s", servers, "--json");
        assertThat(json.code()).isZero();
        assertThat(json.out()).contains("\"leader\": \"n").contains("\"appliedIndex\"")
                .contains("\"belowMinimum\": false");
        assertThat(cli("cluster", "status", "--dir", dir.toString()).out()).contains("running").contains("LEADER");
        String leaderNow = json.out().replaceAll("(?s).*?\"leader\": \"(n\\d)\".*", "$1");
        String follower = leaderNow.equals("n1") ? "n2" : "n1";
        String fromLeader = cli("consume", "-s", servers, "-t", "cli-topic", "--count", "0").out();
        assertThat(fromLeader).containsPattern("\n[1-9][0-9]* messages?\n$");
        String fromFollower = fromLeader.stripTrailing() + " from " + follower + "\n";
        await("the follower's copy, read with --node").atMost(Duration.ofSeconds(30)).until(() -> cli("consume", "-s",
                servers, "-t", "cli-topic", "--count", "0", "--node", follower).out(), fromFollower::equals);
        Run unknownNode = cli("consume", "-s", servers, "-t", "cli-topic", "--node", "n9");
        assertThat(unknownNode.code()).as("bad input").isEqualTo(2);
        assertThat(unknownNode.err()).contains("unknown node id 'n9' (known nodes: [n1, n2, n3])");
        Run pastEnd = cli("consume", "-s", servers, "-t", "cli-topic", "--from", "999999");
        assertThat(pastEnd.code()).isEqualTo(2);
        assertThat(pastEnd.err()).contains("OFFSET_OUT_OF_RANGE").contains("pick one with --queue");
        Run typo = cli("group", "describe", "cli-grup", "-t", "cli-topic", "-s", servers);
        assertThat(typo.code()).isZero();
        assertThat(typo.err()).contains("group 'cli-grup' has no live members and no committed offsets");
        assertThat(cli("cluster", "restart", follower, "--dir", dir.toString(), "--set", "node.id=x").code())
                .as("a setting that places the node is refused before it stops, as bad input").isEqualTo(2);
        assertThat(cli("cluster", "restart", follower, "--dir", dir.toString(), "--set", "store.min.free.byte=0")
                .code()).as("so is one it could not start with").isEqualTo(2);
        assertThat(LocalCluster.load(dir).node(follower).alive()).isTrue();
        assertThat(cli("cluster", "restart", follower, "--dir", dir.toString(), "--set",
                "store.min.free.bytes=" + (1L << 60)).out()).contains("restarted " + follower);
        await("the restarted follower's disk shown below its minimum").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).until(() -> cli("status", "-s", servers).out(),
                        out -> out.matches("(?s).*" + follower + " .*GiB LOW.*"));
        assertThat(cli("produce", "-s", servers, "-t", "cli-topic", "-m", "one short follower of three").code())
                .isZero();
        assertThat(cli("cluster", "restart", follower, "--dir", dir.toString()).code()).isZero();
        Run missing = cli("produce", "-s", servers, "-t", "missing-topic", "-m", "x");
        assertThat(missing.code()).isNotZero();
        assertThat(missing.err()).as("the follow-up commands go to the cluster given").contains("'bin/dledger topic "
                + "list -s " + servers + "' lists the topics, 'bin/dledger topic create -s " + servers
                + " NAME' creates one");

        Run kill = cli("cluster", "kill", "--leader", "--dir", dir.toString());
        assertThat(kill.code()).isZero();
        String killed = kill.out().replaceAll("(?s).*killed (n\\d).*", "$1");
        assertThat(LocalCluster.load(dir).node(killed).alive()).isFalse();
        assertThat(kill.out()).as("what to run next, for this cluster directory").contains("status:      bin/dledger "
                + "status -s " + servers, "start again: bin/dledger cluster up --dir " + dir);
        String processes = cli("cluster", "status", "--json", "--dir", dir.toString()).out();
        assertThat(processes).containsPattern("\"id\": \"" + killed + "\",\\s+\"running\": false,\\s+\"pid\": null")
                .contains("\"running\": true", "\"dataDir\": ");
        Run restart = cli("cluster", "up", "--dir", dir.toString());
        assertThat(restart.out()).contains("started " + killed);
        assertThat(LocalCluster.load(dir).nodes()).allMatch(NodeProcess::alive);

        Run down = cli("cluster", "down", "--dir", dir.toString());
        assertThat(down.code()).isZero();
        assertThat(nodes).noneMatch(NodeProcess::alive);

        // a stopped cluster: no waiting for a leader that cannot be elected, and no success from status
        Run noLeader = cli("cluster", "kill", "--leader", "--dir", dir.toString());
        assertThat(noLeader.code()).isEqualTo(1);
        assertThat(noLeader.err()).contains("no node of this cluster is running; start it with: bin/dledger cluster "
                + "up --dir " + dir);
        assertThat(cli("cluster", "status", "--dir", dir.toString()).code()).as("no node answers").isEqualTo(1);
    }
}
