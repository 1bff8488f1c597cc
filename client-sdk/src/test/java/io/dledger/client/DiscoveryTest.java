package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dledger.proto.NodeRef;
import io.dledger.proto.Role;
import io.dledger.proto.TakeSnapshotResponse;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DiscoveryTest {

    private FakeCluster cluster;
    private DLedgerClient client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        cluster.close();
    }

    /** Nodes advertise addresses the client cannot reach (as behind Docker port mapping); seeds are reachable. */
    private void dockerLikeCluster() {
        cluster = new FakeCluster("n1", "n2", "n3");
        for (String id : List.of("n1", "n2", "n3")) {
            cluster.advertise(id, "internal-" + id + ":9000").route("localhost:1" + id.charAt(1), id);
        }
        cluster.startAll();
    }

    @Test
    void seedAddressesWinOverAdvertisedAddresses() {
        dockerLikeCluster();
        cluster.elect("n2", 3);
        client = cluster.clientBuilder().seeds("localhost:11, localhost:12,localhost:13").build();

        SendResult r = client.newProducer().send("t", Message.of("x"));

        assertThat(r.offset()).isZero();
        assertThat(cluster.node("n2").produces).hasSize(1);
        assertThat(client.admin().nodeStatus("n3").id()).isEqualTo("n3");
        ClusterView view = client.admin().describeCluster();
        assertThat(view.nodes()).extracting(NodeView::grpcAddress)
                .containsExactly("localhost:11", "localhost:12", "localhost:13");
        assertThat(view.nodes()).allSatisfy(n -> assertThat(n.reachable()).isTrue());
    }

    @Test
    void aSeedThatWasDownAtStartIsMappedWhenANodeOperationNeedsIt() {
        cluster = new FakeCluster("n1", "n2", "n3");
        for (String id : List.of("n1", "n2", "n3")) {
            cluster.advertise(id, "internal-" + id + ":9000").route("localhost:1" + id.charAt(1), id);
        }
        cluster.node("n1").start();
        cluster.node("n2").start();
        cluster.elect("n2", 3);
        client = cluster.clientBuilder().seeds("localhost:11,localhost:12,localhost:13").build();
        client.newProducer().send("t", Message.of("x")); // discovery done without n3

        cluster.node("n3").start(); // n3 comes up; only its seed address reaches it
        assertThat(client.admin().nodeStatus("n3").id()).isEqualTo("n3");
        assertThat(client.admin().describeCluster().nodes()).extracting(NodeView::grpcAddress)
                .containsExactly("localhost:11", "localhost:12", "localhost:13");
    }

    @Test
    void aLeaderHintWithAnAdvertisedAddressIsResolvedThroughTheSeedOfThatNode() {
        dockerLikeCluster();
        cluster.elect("n1", 1);
        client = cluster.clientBuilder().seeds("localhost:11,localhost:12,localhost:13").build();
        Producer producer = client.newProducer();
        producer.send("t", Message.of("warm-up"));
        // the send needed only the leader's answer, so the other seeds' probes may still be on their way: the
        // client knows which seed is n3 once every node has answered
        assertThat(client.admin().describeCluster().nodes()).extracting(NodeView::grpcAddress)
                .containsExactly("localhost:11", "localhost:12", "localhost:13");

        cluster.elect("n3", 2); // n1 now answers NOT_LEADER naming internal-n3:9000
        producer.send("t", Message.of("x"));

        assertThat(cluster.node("n3").produces).hasSize(1);
        assertThat(cluster.channelsOpened).doesNotContain("internal-n3:9000");
    }

    @Test
    void nodesOutsideTheSeedsAreReachedThroughTheirAdvertisedAddress() {
        cluster = new FakeCluster("n1", "n2", "n3").startAll();
        cluster.elect("n3", 1);
        client = cluster.clientBuilder().seeds("n1:7000").build();

        client.newProducer().send("t", Message.of("x"));

        assertThat(cluster.node("n3").produces).hasSize(1);
        assertThat(client.admin().leaderId()).contains("n3");
    }

    @Test
    void aNodeNoLongerInTheLeadersPeerListIsNotListed() {
        cluster = new FakeCluster("n1", "n2", "n3").startAll();
        cluster.elect("n1", 4);
        List<io.dledger.proto.NodeRef> three = cluster.node("n1").peers;
        io.dledger.proto.NodeRef n9 = io.dledger.proto.NodeRef.newBuilder().setId("n9").setGrpcAddress("n9:7000")
                .setRaftAddress("n9:8000").build();
        List<io.dledger.proto.NodeRef> four = new java.util.ArrayList<>(three);
        four.add(n9);
        cluster.node("n1").peers = four; // an add in progress
        client = cluster.clientBuilder().build();
        assertThat(client.admin().describeCluster().nodes()).extracting(NodeView::id)
                .containsExactly("n1", "n2", "n3", "n9");
        cluster.node("n1").peers = three; // the add failed (or n9 was removed)
        assertThat(client.admin().describeCluster().nodes()).extracting(NodeView::id)
                .containsExactly("n1", "n2", "n3");
    }

    @Test
    void describeClusterMarksAnUnreachableNode() {
        cluster = new FakeCluster("n1", "n2", "n3");
        cluster.node("n1").start();
        cluster.node("n2").start(); // n3 is down
        cluster.elect("n1", 4);
        cluster.node("n2").term = 3;
        client = cluster.clientBuilder().build();

        ClusterView view = client.admin().describeCluster();

        assertThat(view.leaderId()).isEqualTo("n1");
        assertThat(view.term()).isEqualTo(4);
        assertThat(view.nodes()).extracting(NodeView::id).containsExactly("n1", "n2", "n3");
        NodeView n1 = view.nodes().get(0);
        assertThat(n1.role()).isEqualTo(NodeRole.LEADER);
        assertThat(n1.reachable()).isTrue();
        assertThat(n1.error()).isNull();
        assertThat(n1.commitIndex()).isEqualTo(10);
        assertThat(n1.leaderId()).isEqualTo("n1");
        assertThat(view.nodes().get(1).role()).isEqualTo(NodeRole.FOLLOWER);
        NodeView n3 = view.nodes().get(2);
        assertThat(n3.reachable()).isFalse();
        assertThat(n3.role()).isEqualTo(NodeRole.UNREACHABLE);
        assertThat(n3.grpcAddress()).isEqualTo("n3:7000");
        assertThat(n3.error()).isNotBlank();
    }

    /** A new client whose first probes outlast their deadline (connections being set up) asks once more. */
    @Test
    void leaderIdAsksAgainWhenNoNodeAnsweredTheFirstProbesInTime() {
        cluster = new FakeCluster("n1", "n2", "n3").startAll();
        cluster.elect("n1", 1);
        for (String id : List.of("n1", "n2", "n3")) {
            cluster.node(id).firstStatusDelayMs = 700;
        }
        client = cluster.clientBuilder().requestTimeout(java.time.Duration.ofMillis(300)).build();

        assertThat(client.admin().leaderId()).contains("n1");
    }

    @Test
    void describeClusterWithNoReachableNodeListsTheSeeds() {
        cluster = new FakeCluster("n1", "n2");
        client = cluster.clientBuilder().build();

        ClusterView view = client.admin().describeCluster();

        assertThat(view.leaderId()).isNull();
        assertThat(view.nodes()).extracting(NodeView::grpcAddress).containsExactly("n1:7000", "n2:7000");
        assertThat(view.nodes()).allSatisfy(n -> assertThat(n.reachable()).isFalse());
        assertThat(client.admin().leaderId()).isEmpty();
    }

    @Test
    void aDeposedLeaderWithALowerTermIsNotChosen() {
        cluster = new FakeCluster("n1", "n2", "n3").startAll();
        cluster.noLeader(5);
        cluster.node("n1").role = Role.LEADER; // still believes it leads, in an old term
        cluster.node("n1").term = 4;
        client = cluster.clientBuilder().build();

        assertThat(client.admin().leaderId()).isEmpty();

        cluster.elect("n2", 5);
        assertThat(client.admin().describeCluster().leaderId()).isEqualTo("n2");
        assertThat(client.admin().leaderId()).contains("n2");
    }

    @Test
    void nodeOperationsGoToTheNamedNode() {
        cluster = new FakeCluster("n1", "n2", "n3").startAll();
        cluster.elect("n1", 1);
        client = cluster.clientBuilder().build();

        assertThat(client.admin().nodeStatus("n2").id()).isEqualTo("n2");
        assertThat(client.admin().nodeStatus(null).role()).isEqualTo(NodeRole.LEADER);
        assertThat(client.admin().takeSnapshot("n3")).isEqualTo(42);
        assertThat(cluster.node("n3").snapshotCalls).hasValue(1);
        assertThat(cluster.node("n1").snapshotCalls).hasValue(0);
    }

    @Test
    void anUnknownNodeIdFailsWithoutRetrying() {
        cluster = new FakeCluster("n1", "n2", "n3").startAll();
        cluster.elect("n1", 1);
        client = cluster.clientBuilder().build();

        assertThatThrownBy(() -> client.admin().nodeStatus("n9"))
                .isInstanceOfSatisfying(DLedgerException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("unknown node id 'n9' (known nodes: [n1, n2, n3])");
                });
    }

    @Test
    void takeSnapshotIsNotRetriedUnlessTheErrorProvesItDidNotRun() {
        cluster = new FakeCluster("n1", "n2", "n3").startAll();
        cluster.elect("n1", 1);
        client = cluster.clientBuilder().build();
        FakeNode n2 = cluster.node("n2");

        n2.takeSnapshot = (req, obs) -> obs.onError(Status.UNAVAILABLE.withDescription("reset").asRuntimeException());
        assertThatThrownBy(() -> client.admin().takeSnapshot("n2"))
                .isInstanceOfSatisfying(DLedgerException.class, e -> {
                    assertThat(e.grpcCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getMessage()).as("its one attempt's outcome is unknown")
                            .contains("the operation may have been carried out");
                });
        assertThat(n2.snapshotCalls).hasValue(1);

        n2.takeSnapshot = (req, obs) -> obs.onError(FakeNode.error(Status.Code.INVALID_ARGUMENT,
                ErrorCode.INVALID_ARGUMENT, "refused", null));
        assertThatThrownBy(() -> client.admin().takeSnapshot("n2"))
                .isInstanceOfSatisfying(DLedgerException.class, e -> assertThat(e.getMessage())
                        .as("a refusal is no unknown outcome").isEqualTo("INVALID_ARGUMENT: refused"));

        AtomicInteger busy = new AtomicInteger(1);
        n2.takeSnapshot = (req, obs) -> {
            if (busy.getAndDecrement() > 0) {
                obs.onError(FakeNode.error(Status.Code.RESOURCE_EXHAUSTED, ErrorCode.BUSY, "busy", null));
            } else {
                FakeNode.reply(obs, TakeSnapshotResponse.newBuilder().setSnapshotIndex(7).build());
            }
        };
        assertThat(client.admin().takeSnapshot("n2")).isEqualTo(7);
        assertThat(n2.snapshotCalls).hasValue(4);
    }

    @Test
    void createTopicFollowsTheLeaderAndMapsTheAnswer() {
        cluster = new FakeCluster("n1", "n2", "n3").startAll();
        cluster.elect("n2", 1);
        client = cluster.clientBuilder().build();

        assertThat(client.admin().createTopic("orders", 4)).isEqualTo(new TopicCreated("orders", 4, true));
        assertThat(cluster.node("n2").createTopicCalls).hasValue(1);

        cluster.node("n2").createTopic = (req, obs) -> obs.onError(
                FakeNode.error(Status.Code.ALREADY_EXISTS, ErrorCode.TOPIC_EXISTS, "has 8 queues", null));
        assertThatThrownBy(() -> client.admin().createTopic("orders", 4))
                .isInstanceOfSatisfying(DLedgerException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TOPIC_EXISTS));
        assertThat(cluster.node("n2").createTopicCalls).hasValue(2);
    }

    @Test
    void aRestartedLeaderIsFoundAgain() {
        cluster = new FakeCluster("n1", "n2", "n3").startAll();
        cluster.elect("n1", 1);
        client = cluster.clientBuilder().build();
        Producer producer = client.newProducer();
        producer.send("t", Message.of("a"));

        cluster.node("n1").stop();
        cluster.elect("n2", 2);
        producer.send("t", Message.of("b"));
        assertThat(cluster.node("n2").produces).hasSize(1);

        cluster.node("n2").stop();
        cluster.node("n1").start();
        cluster.elect("n1", 3);
        producer.send("t", Message.of("c"));
        assertThat(cluster.node("n1").produces).hasSize(2);
    }

    @Test
    void leaderHintsWithoutAnyAddressAreIgnored() {
        cluster = new FakeCluster("n1", "n2", "n3").startAll();
        cluster.elect("n1", 1);
        client = cluster.clientBuilder().build();
        Producer producer = client.newProducer();
        producer.send("t", Message.of("a"));

        AtomicInteger bogus = new AtomicInteger(1);
        FakeNode n1 = cluster.node("n1");
        n1.produce = (req, obs) -> {
            if (bogus.getAndDecrement() > 0) {
                obs.onError(FakeNode.error(Status.Code.FAILED_PRECONDITION, ErrorCode.NOT_LEADER, "moved",
                        NodeRef.newBuilder().setId("n7").build()));
            } else {
                FakeNode.reply(obs, n1.success(req, false));
            }
        };
        producer.send("t", Message.of("b"));
        assertThat(n1.produces).hasSize(3);
    }
}
