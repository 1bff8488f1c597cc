package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.proto.ProduceRequest;
import io.dledger.proto.ProduceResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Concurrent single sends of one producer travel together once the topic's requests are on the wire. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProduceAccumulatorTest {
    private FakeCluster cluster;
    private DLedgerClient client;
    private final List<StreamObserver<ProduceResponse>> held = new CopyOnWriteArrayList<>();
    private final Map<StreamObserver<ProduceResponse>, ProduceRequest> requests = new ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        cluster = new FakeCluster("n1", "n2", "n3").startAll();
        cluster.elect("n1", 1);
        client = cluster.clientBuilder().build();
    }

    @AfterEach
    void stop() {
        client.close();
        cluster.close();
    }

    @Test
    void waitingSendsShareTheNextRequestAndGetTheirOwnResults() {
        FakeNode n1 = cluster.node("n1");
        n1.produce = (req, obs) -> { // hold every answer until the test releases it
            requests.put(obs, req);
            held.add(obs);
        };
        Producer p = client.newProducer();
        List<CompletableFuture<SendResult>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(p.sendAsync("t", Message.of("m" + i)));
        }
        org.awaitility.Awaitility.await().until(() -> held.size() == DefaultProducer.MAX_REQUESTS_IN_FLIGHT_PER_TOPIC);
        release(n1);
        org.awaitility.Awaitility.await().until(() -> held.size() == 1);
        assertThat(requests.get(held.get(0)).getMessagesCount())
                .isEqualTo(50 - DefaultProducer.MAX_REQUESTS_IN_FLIGHT_PER_TOPIC);
        release(n1);
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        assertThat(futures).extracting(f -> f.join().offset()).doesNotHaveDuplicates().hasSize(50);
        assertThat(n1.produces).hasSize(DefaultProducer.MAX_REQUESTS_IN_FLIGHT_PER_TOPIC + 1);
    }

    @Test
    void aBadMessageFailsOnlyItsOwnSend() {
        FakeNode n1 = cluster.node("n1");
        n1.produce = (req, obs) -> {
            boolean bad = req.getMessagesList().stream()
                    .anyMatch(m -> m.getBody().toString(StandardCharsets.UTF_8).equals("bad"));
            if (bad) {
                obs.onError(FakeNode.error(Status.Code.INVALID_ARGUMENT, ErrorCode.MESSAGE_TOO_LARGE, "too big", null));
            } else if (req.getMessages(0).getBody().toString(StandardCharsets.UTF_8).startsWith("blocker")) {
                held.add(obs);
                requests.put(obs, req);
            } else {
                FakeNode.reply(obs, n1.success(req, false));
            }
        };
        Producer p = client.newProducer();
        List<CompletableFuture<SendResult>> blockers = fillEveryRequestSlot(p);
        CompletableFuture<SendResult> good1 = p.sendAsync("t", Message.of("good1"));
        CompletableFuture<SendResult> bad = p.sendAsync("t", Message.of("bad"));
        CompletableFuture<SendResult> good2 = p.sendAsync("t", Message.of("good2"));
        release(n1);
        CompletableFuture.allOf(blockers.toArray(CompletableFuture[]::new)).join();
        assertThat(good1.join().offset()).isNotNegative();
        assertThat(good2.join().offset()).isNotNegative();
        assertThat(bad).failsWithin(java.time.Duration.ofSeconds(10))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(DLedgerException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE));
    }

    @Test
    void withOneRequestInFlightTheMessagesOfARejectedRequestAreStoredBeforeLaterSends() {
        FakeNode n1 = cluster.node("n1");
        List<StreamObserver<ProduceResponse>> rejectLater = new CopyOnWriteArrayList<>();
        List<String> stored = new CopyOnWriteArrayList<>();
        n1.produce = (req, obs) -> {
            List<String> bodies = req.getMessagesList().stream()
                    .map(m -> m.getBody().toString(StandardCharsets.UTF_8)).toList();
            if (bodies.get(0).equals("first")) {
                held.add(obs);
                requests.put(obs, req);
            } else if (bodies.contains("bad") && bodies.size() > 1) {
                rejectLater.add(obs); // the combined request: answered once "later" waits behind it
            } else if (bodies.contains("bad")) {
                obs.onError(FakeNode.error(Status.Code.INVALID_ARGUMENT, ErrorCode.MESSAGE_TOO_LARGE, "too big", null));
            } else {
                stored.addAll(bodies);
                FakeNode.reply(obs, n1.success(req, false));
            }
        };
        try (DLedgerClient ordered = cluster.clientBuilder().maxInFlightPerProducer(1).build()) {
            Producer p = ordered.newProducer();
            CompletableFuture<SendResult> first = p.sendAsync("t", Message.of("first"));
            org.awaitility.Awaitility.await().until(() -> held.size() == 1);
            List<CompletableFuture<SendResult>> sends = new ArrayList<>();
            for (String body : List.of("a", "bad", "b")) {
                sends.add(p.sendAsync("t", Message.of(body)));
            }
            release(n1);
            org.awaitility.Awaitility.await().until(() -> rejectLater.size() == 1);
            sends.add(p.sendAsync("t", Message.of("later")));

            rejectLater.get(0).onError(FakeNode.error(Status.Code.INVALID_ARGUMENT, ErrorCode.MESSAGE_TOO_LARGE,
                    "too big", null));

            assertThat(first.join().offset()).isNotNegative();
            for (int i : new int[] {0, 2, 3}) {
                assertThat(sends.get(i).join().offset()).isNotNegative();
            }
            assertFails(sends.get(1), e -> assertThat(e.code()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE));
            assertThat(stored).containsExactly("a", "b", "later");
        }
    }

    @Test
    void aCombinedSendThatFailsWithoutTheBrokersAnswerIsNotSentAgainPerMessage() {
        FakeNode n1 = cluster.node("n1");
        // past the blockers: an HTTP/2 reset, the request may have been stored, the client cannot know
        n1.produce = holdBlockersElse((req, obs) -> obs.onError(Status.INTERNAL.withDescription(
                "RST_STREAM closed stream. HTTP/2 error code: INTERNAL_ERROR").asRuntimeException()));
        for (CompletableFuture<SendResult> f : twoSendsCombinedBehindTheBlockers(n1)) {
            assertFails(f, e -> assertThat(e.grpcCode()).isEqualTo(Status.Code.INTERNAL));
        }
        // the blockers, then "a" and "b" together once; never again one by one under new sequences
        assertThat(n1.produces).hasSize(DefaultProducer.MAX_REQUESTS_IN_FLIGHT_PER_TOPIC + 1);
    }

    @Test
    void aRejectionOfTheWholeRequestIsNotSentAgainPerMessage() {
        FakeNode n1 = cluster.node("n1");
        // past the blockers: the leader's disk is full, no message of the request would be stored
        n1.produce = holdBlockersElse((req, obs) -> obs.onError(
                FakeNode.error(Status.Code.RESOURCE_EXHAUSTED, ErrorCode.STORAGE_FULL, "disk full", null)));
        for (CompletableFuture<SendResult> f : twoSendsCombinedBehindTheBlockers(n1)) {
            assertFails(f, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FULL));
        }
        // the blockers, then "a" and "b" together once; not again one by one
        assertThat(n1.produces).hasSize(DefaultProducer.MAX_REQUESTS_IN_FLIGHT_PER_TOPIC + 1);
    }

    @Test
    void aRejectionAfterAnAttemptThatMayHaveBeenStoredIsNotSentAgainPerMessage() {
        FakeNode n1 = cluster.node("n1");
        Map<Long, Integer> attempts = new ConcurrentHashMap<>();
        n1.produce = holdBlockersElse((req, obs) -> {
            if (attempts.merge(req.getSequence(), 1, Integer::sum) == 1) {
                // stored, but the answer is lost with the connection
                obs.onError(Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException());
            } else { // the retry under the same sequence meets a typed, final rejection
                obs.onError(FakeNode.error(Status.Code.FAILED_PRECONDITION, ErrorCode.SEQUENCE_TOO_OLD,
                        "too old", null));
            }
        });
        for (CompletableFuture<SendResult> f : twoSendsCombinedBehindTheBlockers(n1)) {
            assertFails(f, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.SEQUENCE_TOO_OLD);
                assertThat(e.attemptUncertain()).isTrue();
                assertThat(e.getMessage()).contains("may have been carried out");
            });
        }
        // the blockers, then "a" and "b" together twice under one sequence; never one by one under new ones
        assertThat(n1.produces).hasSize(DefaultProducer.MAX_REQUESTS_IN_FLIGHT_PER_TOPIC + 2);
        assertThat(attempts).hasSize(1);
    }

    @Test
    void aSendWaitingForRoomKeepsTheDeadlineOfItsCall() {
        client.close();
        client = cluster.clientBuilder().operationTimeout(java.time.Duration.ofSeconds(2)).build();
        FakeNode n1 = cluster.node("n1");
        n1.produce = (req, obs) -> { // never answers: every request runs into its deadline
            held.add(obs);
            requests.put(obs, req);
        };
        Producer p = client.newProducer();
        fillEveryRequestSlot(p);
        long start = System.nanoTime();
        CompletableFuture<SendResult> waiting = p.sendAsync("t", Message.of("waits for room"));
        assertThat(waiting).failsWithin(java.time.Duration.ofSeconds(10))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(DLedgerException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT));
        // its own 2 s, not the 2 s the requests ahead of it took plus 2 s more once it was on the wire
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofMillis(3500));
    }

    /** Closing the client fails every waiting send at once, synchronously: a long backlog must not nest calls. */
    @Test
    void aLongBacklogOfSendsThatFailAtOnceEndsWithoutNesting() {
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<BatchSendResult> firstOnTheWire = new CompletableFuture<>();
        ProduceAccumulator accumulator = new ProduceAccumulator((topic, messages, deadline) -> closed.get()
                ? CompletableFuture.failedFuture(Errors.closed("client")) : firstOnTheWire, 1, 1, 1 << 20);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<CompletableFuture<SendResult>> sends = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) { // one message a request: 50,000 requests waiting behind the first
            sends.add(accumulator.send("t", proto("m" + i), deadline));
        }

        closed.set(true);
        firstOnTheWire.completeExceptionally(Errors.closed("client"));

        assertThat(sends).allSatisfy(f -> assertThat(f).isCompletedExceptionally());
    }

    @Test
    void theNextRequestLeavesBeforeTheFinishedRequestsCallersAreTold() {
        List<CompletableFuture<BatchSendResult>> onTheWire = new CopyOnWriteArrayList<>();
        ProduceAccumulator accumulator = new ProduceAccumulator((topic, messages, deadline) -> {
            CompletableFuture<BatchSendResult> f = new CompletableFuture<>();
            onTheWire.add(f);
            return f;
        }, 1, 100, 1 << 20);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        CompletableFuture<SendResult> first = accumulator.send("t", proto("a"), deadline);
        accumulator.send("t", proto("b"), deadline); // waits: the only request slot is taken
        List<Integer> requestsSentWhenFirstWasTold = new ArrayList<>();
        first.thenRun(() -> requestsSentWhenFirstWasTold.add(onTheWire.size()));

        onTheWire.get(0).complete(new BatchSendResult("t", List.of(new SendResult("t", 0, 0, 1, 0, false))));

        assertThat(first).isCompleted();
        assertThat(requestsSentWhenFirstWasTold).containsExactly(2);
    }

    @Test
    void aRejectedRequestsMessagesAreSentAgainBeforeASendMadeWhenItsSlotFrees() {
        List<String> sent = new CopyOnWriteArrayList<>();
        List<CompletableFuture<BatchSendResult>> onTheWire = new CopyOnWriteArrayList<>();
        ProduceAccumulator accumulator = new ProduceAccumulator((topic, messages, deadline) -> {
            sent.add(String.join(",", messages.stream().map(m -> m.getBody().toStringUtf8()).toList()));
            CompletableFuture<BatchSendResult> f = new CompletableFuture<>();
            onTheWire.add(f);
            return f;
        }, 1, 100, 1 << 20);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        accumulator.send("t", proto("first"), deadline);
        accumulator.send("t", proto("a"), deadline);
        accumulator.send("t", proto("bad"), deadline);
        accumulator.send("t", proto("b"), deadline);
        onTheWire.get(0).complete(new BatchSendResult("t", List.of(new SendResult("t", 0, 0, 1, 0, false))));
        assertThat(sent).containsExactly("first", "a,bad,b");
        // a send waiting behind the combined request, already past its deadline: it fails when the slot frees, and
        // its caller sends again at that moment
        accumulator.send("t", proto("expired"), System.nanoTime() - 1)
                .whenComplete((r, e) -> accumulator.send("t", proto("later"), deadline));

        onTheWire.get(1).completeExceptionally(new DLedgerException(ErrorCode.MESSAGE_TOO_LARGE,
                Status.Code.INVALID_ARGUMENT, "too big", io.dledger.proto.ErrorDetail.getDefaultInstance(), true,
                null, null));

        assertThat(sent).containsExactly("first", "a,bad,b", "a", "bad", "b", "later");
    }

    private static io.dledger.proto.Message proto(String body) {
        return ProtoMapper.toProto(Message.of(body));
    }

    /** Holds the answers to the blockers' requests until the test releases them; answers others with {@code rest}. */
    private FakeNode.Handler<ProduceRequest, ProduceResponse> holdBlockersElse(
            FakeNode.Handler<ProduceRequest, ProduceResponse> rest) {
        return (req, obs) -> {
            if (req.getMessages(0).getBody().toString(StandardCharsets.UTF_8).startsWith("blocker")) {
                held.add(obs);
                requests.put(obs, req);
            } else {
                rest.handle(req, obs);
            }
        };
    }

    private void release(FakeNode n1) {
        List<StreamObserver<ProduceResponse>> now = new ArrayList<>(held);
        held.clear();
        for (StreamObserver<ProduceResponse> obs : now) {
            ProduceRequest req = requests.remove(obs);
            FakeNode.reply(obs, n1.success(req, false));
        }
    }

    /** Sends "a" and "b" while every request slot is held, so they travel together once the blockers are released. */
    private List<CompletableFuture<SendResult>> twoSendsCombinedBehindTheBlockers(FakeNode n1) {
        Producer p = client.newProducer();
        List<CompletableFuture<SendResult>> blockers = fillEveryRequestSlot(p);
        CompletableFuture<SendResult> a = p.sendAsync("t", Message.of("a"));
        CompletableFuture<SendResult> b = p.sendAsync("t", Message.of("b"));
        release(n1);
        CompletableFuture.allOf(blockers.toArray(CompletableFuture[]::new)).join();
        return List.of(a, b);
    }

    private static void assertFails(CompletableFuture<SendResult> f,
            java.util.function.Consumer<DLedgerException> check) {
        assertThat(f).failsWithin(java.time.Duration.ofSeconds(10))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(DLedgerException.class, check);
    }

    /** Sends one held "blocker" per request slot of topic t and waits until the node holds them all. */
    private List<CompletableFuture<SendResult>> fillEveryRequestSlot(Producer p) {
        List<CompletableFuture<SendResult>> blockers = new ArrayList<>();
        for (int i = 0; i < DefaultProducer.MAX_REQUESTS_IN_FLIGHT_PER_TOPIC; i++) {
            blockers.add(p.sendAsync("t", Message.of("blocker" + i)));
        }
        org.awaitility.Awaitility.await().until(() -> held.size() == DefaultProducer.MAX_REQUESTS_IN_FLIGHT_PER_TOPIC);
        return blockers;
    }
}
