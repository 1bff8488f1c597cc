package io.dledger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.dledger.client.BatchSendResult;
import io.dledger.client.DLedgerClient;
import io.dledger.client.DLedgerException;
import io.dledger.client.ErrorCode;
import io.dledger.client.Message;
import io.dledger.client.Producer;
import io.dledger.client.PullConsumer;
import io.dledger.client.PullResult;
import io.dledger.client.SendResult;
import io.dledger.proto.ErrorDetail;
import io.dledger.proto.MessagingServiceGrpc;
import io.dledger.proto.ProduceRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Produce and consume on a real three-process cluster, redirects from followers, and bad input. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ProduceConsumeIT {
    private static TestCluster cluster;

    @RegisterExtension
    static FailureLogs logs = new FailureLogs(() -> cluster);

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start("produce-consume", 3, Map.of("message.max.bytes", "65536",
                "batch.max.bytes", "262144", "batch.max.messages", "100"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void producedMessagesAreConsumedInOrderFromEveryNode() {
        DLedgerClient client = cluster.client();
        assertThat(client.admin().createTopic("orders", 4).created()).isTrue();
        assertThat(client.admin().createTopic("orders", 4).created()).as("idempotent").isFalse();
        AckedMessages acked = new AckedMessages();
        try (Producer producer = client.newProducer()) {
            for (int i = 0; i < 100; i++) {
                String body = "sync-" + i;
                acked.add(body, producer.send("orders", Message.of(body).withKey("customer-" + (i % 7))
                        .withTags("TagA").withProperty("i", Integer.toString(i))));
            }
            List<Message> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                batch.add(Message.of("batch-" + i).withQueue(2));
            }
            BatchSendResult br = producer.sendBatch("orders", batch);
            assertThat(br.results()).hasSize(50).allMatch(r -> r.queue() == 2);
            for (int i = 0; i < 50; i++) {
                acked.add("batch-" + i, br.results().get(i));
                if (i > 0) {
                    assertThat(br.results().get(i).offset()).isEqualTo(br.results().get(i - 1).offset() + 1);
                }
            }
            List<CompletableFuture<SendResult>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                futures.add(producer.sendAsync("orders", Message.of("async-" + i)));
            }
            for (int i = 0; i < 100; i++) {
                acked.add("async-" + i, futures.get(i).join());
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        acked.assertAllPresentExactlyOnce(client, "orders");

        // same key, same queue
        try (PullConsumer consumer = client.newPullConsumer()) {
            for (String node : cluster.nodeIds()) {
                PullResult r = consumer.pull(new io.dledger.client.PullRequestOptions("orders", 2, 0, 1000, 0, node));
                assertThat(r.servedBy()).isEqualTo(node);
                assertThat(r.messages()).extracting(m -> m.offset()).isSorted();
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        cluster.awaitIdenticalReplicas("orders");
    }

    @Test
    void followerRejectsWritesWithTheLeaderAddressAndTheClientFollowsIt() {
        cluster.client().admin().createTopic("redirects", 1);
        String leader = cluster.awaitLeader();
        String follower = cluster.nodeIds().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        String followerAddress = cluster.local().node(follower).grpcAddress();
        ManagedChannel ch = ManagedChannelBuilder.forTarget(followerAddress).usePlaintext().build();
        try {
            assertThatThrownBy(() -> MessagingServiceGrpc.newBlockingStub(ch).produce(ProduceRequest.newBuilder()
                    .setTopic("redirects").addMessages(io.dledger.proto.Message.newBuilder()
                            .setBody(ByteString.copyFromUtf8("x"))).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                        ErrorDetail d = e.getTrailers().get(io.grpc.Metadata.Key.of("dledger-error-bin",
                                ProtoUtils.metadataMarshaller(ErrorDetail.getDefaultInstance())));
                        assertThat(d.getCode()).isEqualTo(io.dledger.proto.ErrorCode.NOT_LEADER);
                        assertThat(d.getLeader().getId()).isEqualTo(leader);
                        assertThat(d.getLeader().getGrpcAddress())
                                .isEqualTo(cluster.local().node(leader).grpcAddress());
                    });
        } finally {
            ch.shutdownNow();
        }
        try (DLedgerClient viaFollower = DLedgerClient.builder().seeds(followerAddress).build();
             Producer p = viaFollower.newProducer()) {
            SendResult r = p.send("redirects", Message.of("via-follower"));
            assertThat(r.offset()).isGreaterThanOrEqualTo(0);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anyNodeDescribesTheWholeCluster() {
        String leader = cluster.awaitLeader();
        for (String node : cluster.nodeIds()) {
            ManagedChannel ch = ManagedChannelBuilder.forTarget(cluster.local().node(node).grpcAddress())
                    .usePlaintext().build();
            try {
                io.dledger.proto.ClusterStatus status = io.dledger.proto.AdminServiceGrpc.newBlockingStub(ch)
                        .describeCluster(io.dledger.proto.DescribeClusterRequest.getDefaultInstance());
                assertThat(status.getAnsweredBy()).isEqualTo(node);
                assertThat(status.getLeader().getId()).isEqualTo(leader);
                assertThat(status.getNodesList()).extracting(n -> n.getSelf().getId())
                        .containsExactlyInAnyOrderElementsOf(cluster.nodeIds());
                assertThat(status.getNodesList()).filteredOn(n -> n.getRole() == io.dledger.proto.Role.LEADER)
                        .singleElement().satisfies(n -> assertThat(n.getSelf().getId()).isEqualTo(leader));
                assertThat(status.getNodesList()).allSatisfy(n -> {
                    assertThat(n.getTerm()).isPositive();
                    assertThat(n.getCommitIndex()).isPositive();
                    assertThat(n.getSelf().getGrpcAddress()).isNotEmpty();
                    assertThat(n.getSelf().getRaftAddress()).isNotEmpty();
                });
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void badInputGetsATypedErrorAndStoresNothing() {
        DLedgerClient client = cluster.client();
        client.admin().createTopic("strict", 2);
        try (Producer p = client.newProducer(); PullConsumer c = client.newPullConsumer()) {
            assertError(() -> p.send("strict", Message.of(new byte[0])), Status.Code.INVALID_ARGUMENT,
                    ErrorCode.EMPTY_MESSAGE);
            assertError(() -> p.send("strict", Message.of(new byte[65537])), Status.Code.INVALID_ARGUMENT,
                    ErrorCode.MESSAGE_TOO_LARGE);
            List<Message> tooMany = new ArrayList<>();
            for (int i = 0; i < 101; i++) {
                tooMany.add(Message.of("m" + i));
            }
            assertError(() -> p.sendBatch("strict", tooMany), Status.Code.INVALID_ARGUMENT, ErrorCode.BATCH_TOO_LARGE);
            List<Message> tooBig = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                tooBig.add(Message.of(new byte[60_000]));
            }
            assertError(() -> p.sendBatch("strict", tooBig), Status.Code.INVALID_ARGUMENT, ErrorCode.BATCH_TOO_LARGE);
            assertError(() -> p.send("no-such-topic", Message.of("x")), Status.Code.NOT_FOUND,
                    ErrorCode.TOPIC_NOT_FOUND);
            assertError(() -> p.send("bad/name", Message.of("x")), Status.Code.INVALID_ARGUMENT,
                    ErrorCode.INVALID_TOPIC_NAME);
            assertError(() -> p.send("strict", Message.of("x").withQueue(2)), Status.Code.NOT_FOUND,
                    ErrorCode.QUEUE_NOT_FOUND);
            assertError(() -> client.admin().createTopic("zero", 0), Status.Code.INVALID_ARGUMENT,
                    ErrorCode.INVALID_ARGUMENT);
            assertError(() -> client.admin().createTopic("strict", 3), Status.Code.ALREADY_EXISTS,
                    ErrorCode.TOPIC_EXISTS);
            assertError(() -> client.admin().createTopic("Strict", 2), Status.Code.ALREADY_EXISTS,
                    ErrorCode.TOPIC_EXISTS);
            assertThatThrownBy(() -> client.admin().createTopic("STRICT", 2)).hasMessageContaining("letter case");
            assertError(() -> c.pull("strict", 0, -1, 10), Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_ARGUMENT);
            assertError(() -> c.pull("strict", 0, 5, 10), Status.Code.OUT_OF_RANGE, ErrorCode.OFFSET_OUT_OF_RANGE);
            assertError(() -> c.pull("strict", 9, 0, 10), Status.Code.NOT_FOUND, ErrorCode.QUEUE_NOT_FOUND);
            assertError(() -> c.pull("nope", 0, 0, 10), Status.Code.NOT_FOUND, ErrorCode.TOPIC_NOT_FOUND);
            assertThat(client.admin().describeTopic("strict").queueRanges())
                    .allMatch(r -> r.maxOffset() == 0);
            p.send("strict", Message.of("still-works"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        cluster.awaitIdenticalReplicas("strict");
    }

    private static void assertError(Runnable call, Status.Code status, ErrorCode code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(DLedgerException.class, e -> {
            assertThat(e.grpcCode()).isEqualTo(status);
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).isNotBlank();
        });
    }
}
