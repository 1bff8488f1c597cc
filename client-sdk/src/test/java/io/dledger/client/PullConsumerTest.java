package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.dledger.proto.PullRequest;
import io.dledger.proto.PullResponse;
import io.dledger.proto.PullSuggestion;
import io.dledger.proto.StoredMessage;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PullConsumerTest {

    private FakeCluster cluster;
    private DLedgerClient client;

    @BeforeEach
    void setUp() {
        cluster = new FakeCluster("n1", "n2", "n3").startAll();
        cluster.elect("n1", 1);
        client = cluster.clientBuilder().build();
    }

    @AfterEach
    void tearDown() {
        client.close();
        cluster.close();
    }

    @Test
    void offsetsForTimeAsksTheLeaderOnceAndKeepsTheOrderAsked() {
        java.util.List<io.dledger.proto.OffsetsForTimeRequest> asked =
                new java.util.concurrent.CopyOnWriteArrayList<>();
        cluster.node("n1").offsetsForTime = (req, obs) -> {
            asked.add(req);
            FakeNode.reply(obs, io.dledger.proto.OffsetsForTimeResponse.newBuilder().setTopicIncarnation(7)
                    .addOffsets(io.dledger.proto.QueueOffset.newBuilder().setQueue(2).setOffset(40))
                    .addOffsets(io.dledger.proto.QueueOffset.newBuilder().setQueue(0).setOffset(5)).build());
        };

        TimeOffsets found = client.newPullConsumer().offsetsForTime("t", 1_700_000_000_000L, 2, 0);

        assertThat(found.topicIncarnation()).isEqualTo(7);
        assertThat(found.offsets()).containsExactly(java.util.Map.entry(2, 40L), java.util.Map.entry(0, 5L));
        assertThat(asked).singleElement().satisfies(r -> {
            assertThat(r.getTopic()).isEqualTo("t");
            assertThat(r.getTimestampMs()).isEqualTo(1_700_000_000_000L);
            assertThat(r.getQueuesList()).containsExactly(2, 0);
        });
        assertThat(client.newPullConsumer().offsetForTime("t", 2, 1)).isEqualTo(40);
    }

    /** A node from before tag filters ignores them: the client drops what it should have passed over. */
    @Test
    void messagesOfOtherTagsFromANodeThatIgnoredTheFilterAreDropped() {
        cluster.node("n1").pull = (req, obs) -> FakeNode.reply(obs, PullResponse.newBuilder()
                .addMessages(StoredMessage.newBuilder().setTopic("t").setOffset(0).setTags("red"))
                .addMessages(StoredMessage.newBuilder().setTopic("t").setOffset(1).setTags("blue"))
                .addMessages(StoredMessage.newBuilder().setTopic("t").setOffset(2))
                .setNextOffset(3).setMaxOffset(3).setServedBy("n1").build());

        PullResult r = client.newPullConsumer().pull(PullRequestOptions.of("t", 0, 0).withTags("blue"));

        assertThat(r.messages()).extracting(ReceivedMessage::offset).containsExactly(1L);
        assertThat(r.nextOffset()).isEqualTo(3);
        assertThat(cluster.node("n1").pulls).singleElement()
                .satisfies(p -> assertThat(p.getTagsList()).containsExactly("blue"));
    }

    /** A node of a version without the call: the error says so, rather than gRPC's "Method not found". */
    @Test
    void aCallTheNodeDoesNotKnowSaysItRunsAnOlderVersion() {
        assertThatThrownBy(() -> client.newPullConsumer().offsetsForTime("t", 5))
                .isInstanceOfSatisfying(DLedgerException.class, e -> {
                    assertThat(e.grpcCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e).hasMessageContaining("runs an older version than this client; upgrade it");
                });
    }

    @Test
    void pullsFromTheLeaderByDefaultAndMapsTheAnswer() {
        cluster.node("n1").pull = (req, obs) -> FakeNode.reply(obs, PullResponse.newBuilder()
                .addMessages(StoredMessage.newBuilder().setTopic("t").setQueue(1).setOffset(5).setStoreTimestamp(9)
                        .setKey("k").putProperties("a", "b").setBody(ByteString.copyFromUtf8("hello"))
                        .setRaftIndex(77))
                .setNextOffset(6).setMinOffset(0).setMaxOffset(6).setServedBy("n1")
                .setSuggestion(PullSuggestion.newBuilder().setNode(cluster.node("n2").ref()).setReason("offload"))
                .build());

        PullResult r = client.newPullConsumer().pull("t", 1, 5, 10);

        assertThat(r.nextOffset()).isEqualTo(6);
        assertThat(r.maxOffset()).isEqualTo(6);
        assertThat(r.servedBy()).isEqualTo("n1");
        assertThat(r.suggestedNodeId()).isEqualTo("n2");
        assertThat(r.suggestionReason()).isEqualTo("offload");
        ReceivedMessage m = r.messages().get(0);
        assertThat(m.bodyAsString()).isEqualTo("hello");
        assertThat(m.key()).isEqualTo("k");
        assertThat(m.tags()).isNull();
        assertThat(m.properties()).containsEntry("a", "b");
        assertThat(m.offset()).isEqualTo(5);
        assertThat(m.raftIndex()).isEqualTo(77);
        assertThat(cluster.node("n1").pulls.get(0).getMaxMessages()).isEqualTo(10);
    }

    @Test
    void pullsFromTheNamedNode() {
        PullResult r = client.newPullConsumer()
                .pull(PullRequestOptions.of("t", 0, 3).withMaxBytes(1024).fromNode("n3"));

        assertThat(r.servedBy()).isEqualTo("n3");
        assertThat(r.suggestedNodeId()).isNull();
        assertThat(cluster.node("n3").pulls.get(0).getMaxBytes()).isEqualTo(1024);
        assertThat(cluster.node("n1").pulls).isEmpty();
    }

    @Test
    void unavailableIsRetried() {
        AtomicInteger failures = new AtomicInteger(2);
        FakeNode n2 = cluster.node("n2");
        n2.pull = (req, obs) -> {
            if (failures.getAndDecrement() > 0) {
                obs.onError(Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException());
            } else {
                FakeNode.reply(obs, PullResponse.newBuilder().setServedBy("n2").build());
            }
        };
        assertThat(client.newPullConsumer().pull(PullRequestOptions.of("t", 0, 0).fromNode("n2")).servedBy())
                .isEqualTo("n2");
        assertThat(n2.pulls).hasSize(3);
    }

    @Test
    void aFollowerThatLacksTheOffsetSendsAPullMeantForTheLeaderOnToTheLeaderItNames() {
        PullConsumer consumer = client.newPullConsumer();
        assertThat(consumer.pull("t", 0, 0, 0).servedBy()).isEqualTo("n1"); // the client knows n1 as the leader
        // leadership moved to n2 and n1, now a follower behind it, lacks offset 7: it points to n2
        PullResponse behind = PullResponse.newBuilder().setServedBy("n1").setNextOffset(7).setMaxOffset(5)
                .setSuggestion(PullSuggestion.newBuilder().setNode(cluster.node("n2").ref())
                        .setReason(PullResult.FOLLOWER_BEHIND)).build();
        cluster.node("n1").pull = (req, obs) -> FakeNode.reply(obs, behind);
        cluster.node("n3").pull = (req, obs) -> FakeNode.reply(obs, behind.toBuilder().setServedBy("n3").build());

        PullResult fromNamed = consumer.pull(PullRequestOptions.of("t", 0, 7).fromNode("n3"));
        assertThat(fromNamed.servedBy()).as("a named node's answer is the caller's").isEqualTo("n3");
        assertThat(fromNamed.followerBehind()).isTrue();
        assertThat(fromNamed.suggestedNodeId()).isEqualTo("n2");

        PullResult r = consumer.pull(PullRequestOptions.of("t", 0, 7).withMaxWait(5_000));
        assertThat(cluster.node("n1").pulls).as("a named node's answer moved nothing").hasSize(2);
        assertThat(r.servedBy()).as("sent on to the leader n1 named").isEqualTo("n2");
        assertThat(r.followerBehind()).isFalse();
        PullRequest again = cluster.node("n2").pulls.get(0);
        assertThat(again.getOffset()).isEqualTo(7);
        assertThat(again.getMaxWaitMs()).as("what is left of the wait").isBetween(1, 5_000);
        assertThat(consumer.pull("t", 0, 8, 0).servedBy()).as("the next pull for the leader").isEqualTo("n2");
        assertThat(cluster.node("n2").pulls).hasSize(2);

        // n2 is the client's leader now: an answer naming the node that gave it moves nothing and is the caller's;
        // one from a node the client no longer takes for the leader (overtaken by another answer) moves nothing
        // either, and the pull goes once more to the client's leader
        cluster.node("n2").pull = (req, obs) -> FakeNode.reply(obs, behind.toBuilder().setServedBy("n2")
                .setSuggestion(behind.getSuggestion().toBuilder().setNode(cluster.node("n2").ref())).build());
        assertThat(consumer.pull("t", 0, 7, 0).followerBehind()).isTrue();
        assertThat(cluster.node("n2").pulls).hasSize(3);
        cluster.node("n2").pull = (req, obs) -> FakeNode.reply(obs, behind.toBuilder().setServedBy("n3")
                .setSuggestion(behind.getSuggestion().toBuilder().setNode(cluster.node("n1").ref())).build());
        assertThat(consumer.pull("t", 0, 7, 0).followerBehind()).isTrue();
        assertThat(cluster.node("n2").pulls).as("sent on once, to the client's leader").hasSize(5);
        consumer.pull("t", 0, 7, 0);
        assertThat(cluster.node("n2").pulls).as("the leader stayed n2").hasSize(7);

        // a pull is sent on once: when the node it went to also lacks the offset and names a third, the client's
        // leader moves there, and the caller gets the second answer
        cluster.node("n2").pull = (req, obs) -> FakeNode.reply(obs, behind.toBuilder().setServedBy("n2")
                .setSuggestion(behind.getSuggestion().toBuilder().setNode(cluster.node("n3").ref())).build());
        cluster.node("n3").pull = (req, obs) -> FakeNode.reply(obs, behind.toBuilder().setServedBy("n3")
                .setSuggestion(behind.getSuggestion().toBuilder().setNode(cluster.node("n1").ref())).build());
        PullResult twice = consumer.pull("t", 0, 7, 0);
        assertThat(twice.servedBy()).isEqualTo("n3");
        assertThat(twice.suggestedNodeId()).isEqualTo("n1");
        assertThat(cluster.node("n3").pulls).as("the named pull, then this one").hasSize(2);
        assertThat(cluster.node("n1").pulls).as("not sent on a second time").hasSize(2);
        consumer.pull("t", 0, 7, 0);
        assertThat(cluster.node("n1").pulls).as("but the client's leader moved to n1").hasSize(3);
    }

    @Test
    void offsetOutOfRangeCarriesTheQueueBounds() {
        cluster.node("n1").pull = (req, obs) -> obs.onError(FakeNode.outOfRange(10, 20));

        assertThatThrownBy(() -> client.newPullConsumer().pull("t", 0, 99, 0))
                .isInstanceOfSatisfying(DLedgerException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
                    assertThat(e.grpcCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.storedOffsets()).contains(new DLedgerException.StoredOffsets(10, 20));
                });
        assertThat(cluster.node("n1").pulls).hasSize(1);
    }

    @Test
    void aLongPollMayOutlastTheOperationTimeoutAndAWaitBeyondWhatANodeGrantsIsRefused() {
        DLedgerClient quick = cluster.clientBuilder().operationTimeout(java.time.Duration.ofMillis(300)).build();
        var timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            cluster.node("n1").pull = (req, obs) -> timer.schedule(() -> FakeNode.reply(obs, PullResponse.newBuilder()
                    .setNextOffset(req.getOffset()).setServedBy("n1").build()), 600, TimeUnit.MILLISECONDS);

            PullResult empty = quick.newPullConsumer().pull(PullRequestOptions.of("t", 0, 3).withMaxWait(800));

            assertThat(empty.messages()).isEmpty(); // the server's wait comes on top of the 300 ms
            assertThatThrownBy(() -> PullRequestOptions.of("t", 0, 0)
                    .withMaxWait(PullRequestOptions.MAX_WAIT_MS + 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at most 30000");
        } finally {
            timer.shutdownNow();
            quick.close();
        }
    }

    @Test
    void aPullAsksForAtMostHalfOfTheClientsInboundLimitAndAMessageOverItIsALimitError() {
        FakeNode solo = new FakeNode("solo", "unused", "unused");
        solo.role = io.dledger.proto.Role.LEADER;
        solo.term = 1;
        int port = solo.startOnNetty();
        byte[] big = new byte[100 * 1024];
        // a node that returns what it is asked for: as many 1 KiB messages as fit max_bytes, or one big message
        solo.pull = (req, obs) -> {
            PullResponse.Builder b = PullResponse.newBuilder().setServedBy("solo");
            if (req.getOffset() == 7) {
                b.addMessages(StoredMessage.newBuilder().setTopic("t").setOffset(7).setBody(ByteString.copyFrom(big)));
            } else {
                for (int i = 0; i < req.getMaxBytes() / 1024; i++) {
                    b.addMessages(StoredMessage.newBuilder().setTopic("t").setOffset(i)
                            .setBody(ByteString.copyFrom(new byte[1024])));
                }
            }
            FakeNode.reply(obs, b.setNextOffset(req.getOffset() + b.getMessagesCount()).build());
        };
        try (DLedgerClient small = DLedgerClient.builder().seeds("127.0.0.1:" + port)
                .maxInboundMessageBytes(64 * 1024).requestTimeout(Duration.ofSeconds(2))
                .operationTimeout(Duration.ofSeconds(5)).build()) {
            PullConsumer consumer = small.newPullConsumer();

            assertThat(consumer.pull("t", 0, 0, 0).messages()).hasSize(32); // max_bytes 0 became 32 KiB
            assertThat(consumer.pull(new PullRequestOptions("t", 0, 0, 0, 1 << 20, null)).messages()).hasSize(32);
            assertThat(consumer.pull(new PullRequestOptions("t", 0, 0, 0, 4096, null)).messages()).hasSize(4);
            assertThat(solo.pulls).extracting(PullRequest::getMaxBytes).containsExactly(32 * 1024, 32 * 1024, 4096);

            assertThatThrownBy(() -> consumer.pull("t", 0, 7, 0)).isInstanceOfSatisfying(DLedgerException.class,
                    e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
                        assertThat(e.grpcCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                        assertThat(e.retryable()).isFalse();
                        assertThat(e.getMessage()).contains("pull of t/0 at offset 7", "maxInboundMessageBytes (65536");
                    });
            assertThat(solo.pulls).hasSize(4); // not retried
        } finally {
            solo.stop();
        }
    }

    @Test
    void aBrokersOwnSizeErrorOnAPullIsPassedOnAsSent() {
        cluster.node("n1").pull = (req, obs) -> obs.onError(FakeNode.error(Status.Code.RESOURCE_EXHAUSTED,
                ErrorCode.BATCH_TOO_LARGE, "gRPC message exceeds maximum size 10: 20", null));

        assertThatThrownBy(() -> client.newPullConsumer().pull("t", 0, 0, 0))
                .isInstanceOfSatisfying(DLedgerException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BATCH_TOO_LARGE); // typed by the node: not ours to read
                    assertThat(e.getMessage()).doesNotContain("maxInboundMessageBytes");
                });
    }
}
