package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dledger.proto.ProduceRequest;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProducerRetryTest {

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
    void sendsToTheLeaderWithANonZeroProducerIdAndSequenceOne() {
        Producer producer = client.newProducer();
        SendResult result = producer.send("t", Message.of("a").withKey("k").withTags("T").withProperty("p", "v"));

        assertThat(result).isEqualTo(new SendResult("t", 0, 0, 100, 1_000L, false));
        ProduceRequest sent = cluster.node("n1").produces.get(0);
        assertThat(sent.getProducerId()).isEqualTo(producer.producerId()).isNotZero();
        assertThat(sent.getSequence()).isEqualTo(1);
        assertThat(sent.getMessages(0).getKey()).isEqualTo("k");
        assertThat(sent.getMessages(0).getTags()).isEqualTo("T");
        assertThat(sent.getMessages(0).getPropertiesMap()).containsEntry("p", "v");
        assertThat(sent.getMessages(0).hasQueue()).isFalse();
        assertThat(cluster.node("n2").produces).isEmpty();
        assertThat(cluster.node("n3").produces).isEmpty();
    }

    @Test
    void eachSendTakesTheNextSequenceAndProducersHaveDistinctIds() {
        Producer p1 = client.newProducer();
        Producer p2 = client.newProducer();
        p1.send("t", Message.of("a"));
        p1.sendBatch("t", List.of(Message.of("b"), Message.of("c").withQueue(2)));
        p2.send("t", Message.of("d"));

        List<ProduceRequest> sent = cluster.node("n1").produces;
        assertThat(sent).extracting(ProduceRequest::getSequence).containsExactly(1L, 2L, 1L);
        assertThat(sent).extracting(ProduceRequest::getProducerId)
                .containsExactly(p1.producerId(), p1.producerId(), p2.producerId());
        assertThat(p1.producerId()).isNotEqualTo(p2.producerId());
        assertThat(sent.get(1).getMessagesCount()).isEqualTo(2);
    }

    @Test
    void batchResultHasOneEntryPerMessageInOrder() {
        BatchSendResult r = client.newProducer().sendBatch("t",
                List.of(Message.of("a"), Message.of("b").withQueue(3), Message.of("c")));
        assertThat(r.topic()).isEqualTo("t");
        assertThat(r.results()).extracting(SendResult::queue).containsExactly(0, 3, 0);
        assertThat(r.results()).extracting(SendResult::offset).containsExactly(0L, 1L, 2L);
        assertThat(r.results()).extracting(SendResult::raftIndex).containsOnly(100L);
    }

    @Test
    void aSendInterruptedWhileItsRequestIsOnTheWireEndsWithAnUnknownOutcome() throws Exception {
        FakeNode n1 = cluster.node("n1");
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        n1.produce = answeredLater(arrived, answer, n1.produce);
        Producer producer = client.newProducer();

        Throwable failure = interruptedOnTheWire(arrived, () -> producer.send("t", Message.of("a")));

        assertThat(failure).isInstanceOfSatisfying(DLedgerException.class, e -> {
            assertThat(e.code()).as("not a failure: the send goes on").isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
            assertThat(e.getMessage()).contains("interrupted", "may still be carried out");
        });
        answer.countDown();
        assertThat(n1.produces).hasSize(1);
    }

    @Test
    void anAdminChangeInterruptedWhileOnTheWireEndsWithAnUnknownOutcome() throws Exception {
        FakeNode n1 = cluster.node("n1");
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        n1.createTopic = answeredLater(arrived, answer, n1.createTopic);

        Throwable failure = interruptedOnTheWire(arrived, () -> client.admin().createTopic("orders", 4));

        assertThat(failure).isInstanceOfSatisfying(DLedgerException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.OUTCOME_UNKNOWN));
        answer.countDown();
    }

    /** {@code handler}, run once {@code answer} opens (within 10 s); {@code arrived} opens when a request comes. */
    private static <Q, R> FakeNode.Handler<Q, R> answeredLater(CountDownLatch arrived, CountDownLatch answer,
                                                               FakeNode.Handler<Q, R> handler) {
        return (req, obs) -> {
            arrived.countDown();
            CompletableFuture.runAsync(() -> {
                try {
                    answer.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                handler.handle(req, obs);
            });
        };
    }

    /** Runs {@code call} on a thread of its own, interrupts it once {@code arrived} opens; what it threw. */
    private static Throwable interruptedOnTheWire(CountDownLatch arrived, Runnable call) throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                call.run();
                failure.complete(null);
            } catch (Throwable t) {
                failure.complete(t);
            }
        });
        caller.start();
        assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        return failure.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCallBrokenWithoutTheBrokersAnswerAfterSendingSaysItMayHaveBeenStored() {
        cluster.node("n1").produce = (req, obs) -> obs.onError(Status.INTERNAL.withDescription(
                "RST_STREAM closed stream. HTTP/2 error code: INTERNAL_ERROR").asRuntimeException());
        assertThatThrownBy(() -> client.newProducer().send("t", Message.of("a")))
                .isInstanceOfSatisfying(DLedgerException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
                    assertThat(e.attemptUncertain()).isTrue();
                    assertThat(e.getMessage()).contains("may have been carried out");
                });
    }

    @Test
    void notLeaderWithHintGoesStraightToTheHintedNode() {
        Producer producer = client.newProducer();
        producer.send("t", Message.of("warm-up")); // client now knows n1 leads
        int statusCallsBefore = cluster.totalStatusCalls();

        cluster.elect("n2", 2); // n1 now rejects with NOT_LEADER naming n2
        SendResult r = producer.send("t", Message.of("x"));

        assertThat(r.duplicate()).isFalse();
        assertThat(cluster.node("n1").produces).hasSize(2);
        assertThat(cluster.node("n2").produces).hasSize(1);
        assertThat(cluster.node("n3").produces).isEmpty();
        assertThat(cluster.totalStatusCalls()).as("a hint needs no refresh").isEqualTo(statusCallsBefore);
        assertThat(cluster.node("n2").produces.get(0)).isEqualTo(cluster.node("n1").produces.get(1));
        assertThat(client.admin().leaderId()).contains("n2");
    }

    @Test
    void notLeaderWithoutHintRefreshesAndBacksOffUntilALeaderIsElected() {
        Producer producer = client.newProducer();
        producer.send("t", Message.of("warm-up"));
        cluster.noLeader(2);
        int statusCallsBefore = cluster.totalStatusCalls();

        CompletableFuture<SendResult> pending = producer.sendAsync("t", Message.of("x"));
        // Several refresh rounds happen while no node names a leader, and the send keeps waiting.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> cluster.totalStatusCalls() >= statusCallsBefore + 3 * 3);
        assertThat(pending).isNotDone();
        cluster.elect("n3", 2);

        SendResult r = pending.join();
        assertThat(r.duplicate()).isFalse();
        assertThat(cluster.node("n3").produces).hasSize(1);
        ProduceRequest onN1 = cluster.node("n1").produces.get(1);
        assertThat(cluster.node("n3").produces.get(0)).isEqualTo(onN1);
        assertThat(onN1.getSequence()).isEqualTo(2);
    }

    @Test
    void unavailableIsRetriedWithTheSameProducerIdAndSequence() {
        AtomicInteger failures = new AtomicInteger(2);
        FakeNode n1 = cluster.node("n1");
        n1.produce = (req, obs) -> {
            if (failures.getAndDecrement() > 0) {
                obs.onError(FakeNode.error(Status.Code.UNAVAILABLE, ErrorCode.NODE_UNAVAILABLE, "starting", null));
            } else {
                FakeNode.reply(obs, n1.success(req, false));
            }
        };
        Producer producer = client.newProducer();

        producer.send("t", Message.of("x"));
        producer.send("t", Message.of("y"));

        List<ProduceRequest> sent = n1.produces;
        assertThat(sent).hasSize(4);
        assertThat(sent.subList(0, 3)).allSatisfy(r -> assertThat(r).isEqualTo(sent.get(0)));
        assertThat(sent).extracting(ProduceRequest::getSequence).containsExactly(1L, 1L, 1L, 2L);
        assertThat(sent).extracting(ProduceRequest::getProducerId).containsOnly(producer.producerId());
    }

    @Test
    void outcomeUnknownIsRetriedOnTheNewLeaderWhichReportsTheDuplicate() {
        FakeNode n1 = cluster.node("n1");
        FakeNode n2 = cluster.node("n2");
        n1.produce = (req, obs) -> {
            cluster.elect("n2", 2); // leadership lost while the write was in flight
            obs.onError(FakeNode.error(Status.Code.UNAVAILABLE, ErrorCode.OUTCOME_UNKNOWN, "leadership lost",
                    null));
        };
        n2.produce = (req, obs) -> FakeNode.reply(obs, n2.success(req, true));

        SendResult r = client.newProducer().send("t", Message.of("x"));

        assertThat(r.duplicate()).isTrue();
        assertThat(n2.produces).containsExactly(n1.produces.get(0));
    }

    @Test
    void busyIsRetried() {
        AtomicInteger failures = new AtomicInteger(1);
        FakeNode n1 = cluster.node("n1");
        n1.produce = (req, obs) -> {
            if (failures.getAndDecrement() > 0) {
                obs.onError(FakeNode.error(Status.Code.RESOURCE_EXHAUSTED, ErrorCode.BUSY, "busy", null));
            } else {
                FakeNode.reply(obs, n1.success(req, false));
            }
        };
        client.newProducer().send("t", Message.of("x"));
        assertThat(n1.produces).hasSize(2);
    }

    @Test
    void nonRetryableErrorsSurfaceAtOnceWithTheirCode() {
        FakeNode n1 = cluster.node("n1");
        Producer producer = client.newProducer();
        assertImmediateFailure(producer, n1, Status.Code.NOT_FOUND, ErrorCode.TOPIC_NOT_FOUND);
        assertImmediateFailure(producer, n1, Status.Code.NOT_FOUND, ErrorCode.QUEUE_NOT_FOUND);
        assertImmediateFailure(producer, n1, Status.Code.INVALID_ARGUMENT, ErrorCode.MESSAGE_TOO_LARGE);
        assertImmediateFailure(producer, n1, Status.Code.INVALID_ARGUMENT, ErrorCode.INVALID_TOPIC_NAME);
        assertImmediateFailure(producer, n1, Status.Code.FAILED_PRECONDITION, ErrorCode.SEQUENCE_TOO_OLD);
    }

    private void assertImmediateFailure(Producer producer, FakeNode n1, Status.Code grpc, ErrorCode code) {
        n1.produce = (req, obs) -> obs.onError(FakeNode.error(grpc, code, "rejected: " + code, null));
        int before = n1.produces.size();
        assertThatThrownBy(() -> producer.send("t", Message.of("x")))
                .isInstanceOfSatisfying(DLedgerException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.grpcCode()).isEqualTo(grpc);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("rejected: " + code);
                });
        assertThat(n1.produces).hasSize(before + 1);
    }

    @Test
    void emptyBatchIsRejectedWithoutSending() {
        assertThatThrownBy(() -> client.newProducer().sendBatch("t", List.of()))
                .isInstanceOfSatisfying(DLedgerException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.EMPTY_MESSAGE));
        assertThat(cluster.node("n1").produces).isEmpty();
    }

    @Test
    void asyncFailuresArePlainDLedgerExceptions() {
        cluster.node("n1").produce = (req, obs) -> obs.onError(
                FakeNode.error(Status.Code.NOT_FOUND, ErrorCode.TOPIC_NOT_FOUND, "no topic", null));
        CompletableFuture<SendResult> f = client.newProducer().sendAsync("t", Message.of("x"));
        Throwable failure = f.handle((v, e) -> e).join();
        assertThat(failure).isInstanceOf(DLedgerException.class);
    }

    @Test
    void closedProducerRejectsNewSends() {
        Producer producer = client.newProducer();
        producer.close();
        assertThatThrownBy(() -> producer.send("t", Message.of("x"))).isInstanceOf(DLedgerException.class);
    }
}
