package io.dledger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dledger.broker.local.NodeProcess;
import io.dledger.client.DLedgerClient;
import io.dledger.client.DLedgerException;
import io.dledger.client.ErrorCode;
import io.dledger.client.Message;
import io.dledger.client.NodeView;
import io.dledger.client.Producer;
import io.dledger.client.PullConsumer;
import io.grpc.Status;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What an operator relies on: metrics and health, graceful rolling restarts, admin operations, retention. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OperationsIT extends ClusterTestBase {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static HttpResponse<String> get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String base(NodeProcess n) {
        return "http://127.0.0.1:" + n.httpPort();
    }

    @Test
    void metricsHealthLeaderChangeLogAndAGracefulRollingRestart() throws Exception {
        // JRaft's own executors for AppendEntries (the other tests run the default, raft.rpc.inline=true)
        cluster = TestCluster.start("ops", 3, Map.of("raft.rpc.inline", "false"));
        DLedgerClient client = cluster.client();
        client.admin().createTopic("metered", 2);
        try (Producer p = client.newProducer()) {
            for (int i = 0; i < 20; i++) {
                p.send("metered", Message.of("m" + i));
            }
        }
        String leader = cluster.awaitLeader();
        for (NodeProcess n : cluster.local().nodes()) {
            assertThat(get(base(n) + "/health/live").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> get(base(n) + "/health/ready").statusCode() == 200);
            String metrics = get(base(n) + "/metrics").body();
            assertThat(metrics).contains("dledger_raft_commit_index", "dledger_raft_applied_index", "dledger_raft_term",
                    "dledger_store_messages", "dledger_store_segments", "dledger_rpc_inflight",
                    "dledger_store_pull_read_bytes_total{path=\"mapped\"}",
                    "dledger_store_pull_read_bytes_total{path=\"positional\"}", "jvm_memory_used_bytes");
        }
        NodeProcess leaderNode = cluster.local().node(leader);
        String leaderMetrics = get(base(leaderNode) + "/metrics").body();
        assertThat(leaderMetrics).contains("dledger_raft_leader 1.0")
                .containsPattern("dledger_rpc_requests_seconds_count\\{method=\"Produce\"\\} [1-9]")
                .containsPattern("dledger_produce_messages_total 20")
                .contains("dledger_raft_follower_lag{follower=");
        client.admin().resetOffsets("billing", "metered", client.admin().describeTopic("metered").incarnation(),
                Map.of(0, 0L, 1, 0L));
        await("the group's lag on the leader's /metrics").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(get(base(leaderNode) + "/metrics").body()).contains(
                        "dledger_group_lag_messages{group=\"billing\",topic=\"metered\"} 20.0",
                        "dledger_group_members{group=\"billing\",topic=\"metered\"} 0.0",
                        "dledger_group_lag_capped 0.0"));
        for (NodeProcess n : cluster.local().nodes()) {
            if (!n.id().equals(leader)) {
                assertThat(get(base(n) + "/metrics").body()).as("a follower exports no group's lag")
                        .doesNotContain("dledger_group_lag_messages{");
            }
        }
        assertThat(client.admin().describeCluster().nodes()).allSatisfy(n ->
                assertThat(n.metricsUrl()).isEqualTo("http://127.0.0.1:" + cluster.local().node(n.id()).httpPort()
                        + "/metrics"));

        // rolling restart, SIGTERM one node at a time, while a producer keeps sending
        AckedMessages acked = new AckedMessages();
        try (BackgroundProducer producer = new BackgroundProducer(client, "metered", "r", acked)) {
            for (String id : cluster.nodeIds()) {
                long before = producer.acknowledged();
                cluster.stop(id);
                cluster.restart(id);
                NodeProcess n = cluster.local().node(id);
                await().atMost(Duration.ofSeconds(60)).until(() -> ready(n));
                await().atMost(Duration.ofSeconds(60)).until(() -> producer.acknowledged() > before + 50);
            }
            assertThat(producer.errors()).as("sends that failed during the rolling restart").isEmpty();
        }
        cluster.awaitIdenticalReplicas("metered");
        acked.assertAllPresentExactlyOnce(client, "metered");
        String log = Files.readString(cluster.local().node(cluster.awaitLeader()).logFile());
        assertThat(log).containsPattern("leader change: .* term \\d+; election took \\d+ ms");
    }

    private static boolean ready(NodeProcess n) {
        try {
            return get(base(n) + "/health/ready").statusCode() == 200;
        } catch (AssertionError e) {
            return false;
        }
    }

    @Test
    void aLeaderShortOfDiskSpaceRefusesWritesWithStorageFullAndKeepsServing() {
        // more free space than any disk has: the leader's disk counts as full from the start
        cluster = TestCluster.start("disk-full", 1, Map.of("store.min.free.bytes", String.valueOf(1L << 60)));
        DLedgerClient client = cluster.client();
        assertThatThrownBy(() -> client.admin().createTopic("t", 2)).isInstanceOfSatisfying(DLedgerException.class,
                e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FULL);
                    assertThat(e.grpcCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("store.min.free.bytes", "nothing of this request was stored");
                });
        try (Producer p = client.newProducer()) {
            assertThatThrownBy(() -> p.send("t", Message.of("m"))).isInstanceOfSatisfying(DLedgerException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FULL));
        }
        NodeProcess n = cluster.local().nodes().get(0);
        assertThat(get(base(n) + "/health/ready").statusCode()).isEqualTo(200);
        assertThat(get(base(n) + "/metrics").body()).contains("dledger_disk_usable_bytes");
        assertThat(client.admin().listTopics()).isEmpty();
    }

    @Test
    void followersShortOfDiskSpaceStopWritesOnlyOnceTheyAreAMajorityAndClusterStatusShowsThem() {
        cluster = TestCluster.start("disk-followers", 3, Map.of());
        DLedgerClient client = cluster.client();
        String leader = cluster.awaitLeader();
        List<String> followers = cluster.nodeIds().stream().filter(id -> !id.equals(leader)).toList();
        // more free space than any disk has: these nodes count their disks as full
        Map<String, String> noSpace = Map.of("store.min.free.bytes", String.valueOf(1L << 60));
        client.admin().createTopic("t", 1);
        try (Producer p = client.newProducer()) {
            cluster.stop(followers.get(0));
            cluster.restart(followers.get(0), noSpace);
            assertThat(cluster.awaitEveryNodeFollowing()).isEqualTo(leader);
            await("the short follower's disk in the cluster view").atMost(Duration.ofSeconds(30))
                    .until(() -> disk(client, followers.get(0)).belowMinimum());
            assertThat(disk(client, leader)).satisfies(d -> {
                assertThat(d.belowMinimum()).isFalse();
                assertThat(d.usableBytes()).isPositive();
                assertThat(d.minFreeBytes()).isEqualTo(1L << 30);
            });
            await("one follower of three short: the other two commit, sends go on").during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                    .until(() -> p.send("t", Message.of("accepted")) != null);

            cluster.stop(followers.get(1));
            cluster.restart(followers.get(1), noSpace);
            assertThat(cluster.awaitEveryNodeFollowing()).isEqualTo(leader);
            await("writes refused once two of three disks are short").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThatThrownBy(() ->
                            p.send("t", Message.of("refused"))).isInstanceOfSatisfying(DLedgerException.class, e -> {
                                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FULL);
                                assertThat(e.retryable()).isFalse();
                                assertThat(e.getMessage()).contains(followers.get(0) + " (", followers.get(1) + " (",
                                        "fewer than a majority of the 3 nodes");
                            }));
            assertThatThrownBy(() -> client.admin().createTopic("new", 1)).isInstanceOfSatisfying(
                    DLedgerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FULL));

            cluster.stop(followers.get(1)); // space freed on it
            cluster.restart(followers.get(1));
            assertThat(cluster.awaitEveryNodeFollowing()).isEqualTo(leader);
            await("writes accepted again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .ignoreException(DLedgerException.class).until(() -> p.send("t", Message.of("again")) != null);

            // without a target, leadership goes to the follower with space, however far behind the other is (the
            // first try can time out: the restarted node's vote requests may not get through in time on a busy box)
            assertThat(await("a transfer to the follower with space").atMost(Duration.ofSeconds(60))
                    .ignoreExceptionsInstanceOf(DLedgerException.class)
                    // a try that timed out may still have moved it: asking again would move it back
                    .until(() -> followers.get(1).equals(cluster.awaitLeader()) ? followers.get(1)
                            : client.admin().transferLeadership(null), java.util.Objects::nonNull))
                    .isEqualTo(followers.get(1));
            // leadership on the node short of space (an election, a handover could put it there) moves on
            assertThat(client.admin().transferLeadership(followers.get(0))).isEqualTo(followers.get(0));
            await("leadership handed on from the node short of space").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
                            !cluster.awaitLeader().equals(followers.get(0))
                                    && p.send("t", Message.of("after the handover")) != null);
        }
    }

    private static NodeView.Disk disk(DLedgerClient client, String id) {
        return client.admin().describeCluster().nodes().stream().filter(n -> id.equals(n.id())).findFirst()
                .map(NodeView::disk).orElseThrow();
    }

    @Test
    void transferLeadershipDeleteTopicAndRetention() {
        cluster = TestCluster.start("admin", 3, Map.of("store.segment.bytes", "65536", "batch.max.bytes", "16384",
                "message.max.bytes", "4096", "retention.bytes", "200000", "retention.check.interval.ms", "300"));
        DLedgerClient client = cluster.client();
        String leader = cluster.awaitLeader();
        String target = cluster.nodeIds().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        assertThat(client.admin().transferLeadership(target)).isEqualTo(target);
        assertThat(cluster.awaitLeader()).isEqualTo(target);

        client.admin().createTopic("doomed", 2);
        try (Producer p = client.newProducer()) {
            p.send("doomed", Message.of("x"));
        }
        assertThat(client.admin().deleteTopic("doomed")).isTrue();
        assertThatThrownBy(() -> client.admin().describeTopic("doomed")).isInstanceOfSatisfying(DLedgerException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TOPIC_NOT_FOUND));
        assertThat(client.admin().createTopic("doomed", 1).created()).isTrue();

        client.admin().createTopic("rolling", 2);
        try (Producer p = client.newProducer()) {
            for (int i = 0; i < 600; i++) { // ~1.2 MB: far past retention.bytes
                p.send("rolling", Message.of(i + "-" + "y".repeat(2000)));
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() ->
                client.admin().describeTopic("rolling").queueRanges().stream().allMatch(r -> r.minOffset() > 0));
        long min0 = client.admin().describeTopic("rolling").queueRanges().get(0).minOffset();
        try (PullConsumer c = client.newPullConsumer()) {
            assertThatThrownBy(() -> c.pull("rolling", 0, 0, 10)).isInstanceOfSatisfying(DLedgerException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
                assertThat(e.storedOffsets().orElseThrow().minOffset()).isGreaterThanOrEqualTo(min0);
            });
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> !c.pull("rolling", 0,
                    client.admin().describeTopic("rolling").queueRanges().get(0).minOffset(), 10).messages().isEmpty());
        }
        cluster.awaitIdenticalReplicas("rolling");
        for (NodeProcess n : cluster.local().nodes()) {
            String metrics = get(base(n) + "/metrics").body();
            double bytes = Double.parseDouble(metrics.lines().filter(l -> l.startsWith("dledger_store_bytes "))
                    .findFirst().orElseThrow().split(" ")[1]);
            assertThat(bytes).as("log bytes on %s", n.id()).isLessThan(400_000);
        }
    }

    @Test
    void nodesJoinBySnapshotAndLeaveOnline() {
        cluster = TestCluster.start("members", 3, Map.of("snapshot.interval.secs", "0"));
        DLedgerClient client = cluster.client();
        client.admin().createTopic("members", 2);
        AckedMessages acked = new AckedMessages();
        try (Producer p = client.newProducer()) {
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 100; i++) {
                    String body = "m-" + round + "-" + i;
                    acked.add(body, p.send("members", Message.of(body)));
                }
                for (String id : cluster.nodeIds()) {
                    client.admin().takeSnapshot(id); // JRaft's log starts after the older snapshot
                }
            }
            // an id already in the cluster, or a node that does not answer, leaves the membership as it was
            int[] unused = unusedPorts();
            assertThatThrownBy(() -> client.admin().addNode("n2", "127.0.0.1", unused[0], unused[1]))
                    .isInstanceOf(DLedgerException.class).hasMessageContaining("already in the cluster");
            assertThatThrownBy(() -> client.admin().addNode("n9", "127.0.0.1", unused[0], unused[1]))
                    .isInstanceOf(DLedgerException.class);
            assertThat(client.admin().describeCluster().nodes()).extracting(io.dledger.client.NodeView::id)
                    .containsExactlyInAnyOrder("n1", "n2", "n3");
            NodeProcess n4 = cluster.addNode();
            assertThat(client.admin().addNode(n4.id(), n4.peer().host(), n4.peer().raftPort(), n4.peer().grpcPort()))
                    .containsExactlyInAnyOrder("n1", "n2", "n3", "n4");
            cluster.awaitIdenticalReplicas("members");
            assertThat(client.admin().nodeStatus("n4").snapshotsInstalled()).isGreaterThanOrEqualTo(1);

            String leader = cluster.awaitLeader();
            String leaving = cluster.nodeIds().stream().filter(id -> !id.equals(leader) && !id.equals("n4"))
                    .findFirst().orElseThrow();
            assertThat(client.admin().removeNode(leaving)).doesNotContain(leaving).hasSize(3);
            cluster.stop(leaving);
            cluster.forget(leaving);
            for (int i = 0; i < 50; i++) {
                acked.add("after-" + i, p.send("members", Message.of("after-" + i)));
            }
            String leaderNow = cluster.awaitLeader();
            String metrics = get(base(cluster.local().node(leaderNow)) + "/metrics").body();
            for (String id : cluster.nodeIds()) {
                if (!id.equals(leaderNow)) {
                    assertThat(metrics).contains("dledger_raft_follower_lag{follower=\"" + id + "\"");
                }
            }
            assertThat(metrics).as("the removed node's lag gauge is gone")
                    .doesNotContain("dledger_raft_follower_lag{follower=\"" + leaving + "\"");
        }
        cluster.awaitIdenticalReplicas("members");
        acked.assertAllPresentExactlyOnce(client, "members");
    }

    /** Two ports nothing listens on (bound for a moment by this JVM, then freed). */
    private static int[] unusedPorts() {
        try (java.net.ServerSocket a = new java.net.ServerSocket(0);
             java.net.ServerSocket b = new java.net.ServerSocket(0)) {
            return new int[] {a.getLocalPort(), b.getLocalPort()};
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
