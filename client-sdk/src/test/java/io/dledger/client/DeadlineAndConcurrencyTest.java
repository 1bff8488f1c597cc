package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dledger.proto.ProduceRequest;
import io.dledger.proto.ProduceResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeadlineAndConcurrencyTest {

    private FakeCluster cluster;
    private final List<DLedgerClient> clients = new ArrayList<>();

    @BeforeEach
    void setUp() {
        cluster = new FakeCluster("n1", "n2", "n3").startAll();
        cluster.elect("n1", 1);
    }

    @AfterEach
    void tearDown() {
        clients.forEach(DLedgerClient::close);
        cluster.close();
    }

    private DLedgerClient client(DLedgerClient.Builder builder) {
        DLedgerClient c = builder.build();
        clients.add(c);
        return c;
    }

    @Test
    void theOperationTimeoutBoundsRetriesAndTheLastErrorIsReported() {
        DLedgerClient client = client(cluster.clientBuilder().operationTimeout(Duration.ofMillis(400)));
        cluster.node("n1").produce = (req, obs) -> obs.onError(
                FakeNode.error(Status.Code.UNAVAILABLE, ErrorCode.NODE_UNAVAILABLE, "storage failed", null));
        Producer producer = client.newProducer();

        long start = System.nanoTime();
        assertThatThrownBy(() -> producer.send("t", Message.of("x")))
                .isInstanceOfSatisfying(DLedgerException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NODE_UNAVAILABLE);
                    assertThat(e.grpcCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.getMessage()).contains("gave up after").contains("storage failed");
                });
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(elapsedMs).isBetween(340L, 1_500L); // tries until the end
        assertThat(cluster.node("n1").produces).hasSizeGreaterThan(2)
                .extracting(ProduceRequest::getSequence).containsOnly(1L);
    }

    @Test
    void aHangingLeaderIsBoundedByTheRequestTimeoutAndTheOperationTimeout() {
        DLedgerClient client = client(cluster.clientBuilder().requestTimeout(Duration.ofMillis(100))
                .operationTimeout(Duration.ofMillis(500)));
        cluster.node("n1").produce = (req, obs) -> { }; // never answers

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.newProducer().send("t", Message.of("x")))
                .isInstanceOfSatisfying(DLedgerException.class, e -> {
                    assertThat(e.grpcCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                    assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
                });
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(elapsedMs).isBetween(300L, 2_000L);
        assertThat(cluster.node("n1").produces).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aLeadershipTransferLooksForALeaderOnlyWithinTheOperationTimeout() {
        DLedgerClient client = client(cluster.clientBuilder().operationTimeout(Duration.ofMillis(500)));
        cluster.noLeader(2);

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.admin().transferLeadership(null))
                .isInstanceOfSatisfying(DLedgerException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_LEADER);
                    assertThat(e.getMessage()).contains("gave up after");
                });
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("not the server's 120 s")
                .isLessThan(5_000L);
    }

    @Test
    void aLeadershipTransferTheLeaderWorksOnPastTheOperationTimeoutIsWaitedFor() {
        DLedgerClient client = client(cluster.clientBuilder().operationTimeout(Duration.ofMillis(300)));
        java.util.concurrent.ScheduledExecutorService later =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            cluster.node("n1").transferLeadership = (req, obs) -> later.schedule(() -> {
                obs.onNext(io.dledger.proto.TransferLeadershipResponse.newBuilder().setLeaderId("n2").build());
                obs.onCompleted();
            }, 1_200, TimeUnit.MILLISECONDS); // an election that takes longer than the operation timeout
            assertThat(client.admin().transferLeadership("n2")).isEqualTo("n2");
        } finally {
            later.shutdownNow();
        }
    }

    @Test
    void thousandsOfAsyncSendsCompleteWithDistinctSequencesAndABoundedWindow() {
        int window = 64;
        DLedgerClient client = client(cluster.clientBuilder().maxInFlightPerProducer(window));
        ScheduledExecutorService answerer = Executors.newScheduledThreadPool(4);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        FakeNode n1 = cluster.node("n1");
        n1.produce = (req, obs) -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            boolean fail = calls.incrementAndGet() % 10 == 0; // every tenth attempt fails and is retried
            answerer.schedule(() -> respond(n1, req, obs, fail, inFlight), 1, TimeUnit.MILLISECONDS);
        };
        try {
            Producer producer = client.newProducer();
            int n = 3_000;
            List<CompletableFuture<SendResult>> futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) { // explicit one-message batches: one request each, never combined
                futures.add(producer.sendBatchAsync("t", List.of(Message.of("m" + i)))
                        .thenApply(b -> b.results().get(0)));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();

            assertThat(maxInFlight.get()).isLessThanOrEqualTo(window);
            assertThat(n1.produces).hasSizeGreaterThan(n) // the failed attempts were re-sent
                    .extracting(ProduceRequest::getSequence)
                    .containsAll(LongStream.rangeClosed(1, n).boxed().toList())
                    .allSatisfy(seq -> assertThat(seq).isBetween(1L, (long) n));
            assertThat(futures).allSatisfy(f -> assertThat(f.join().duplicate()).isFalse());
        } finally {
            answerer.shutdownNow();
        }
    }

    private static void respond(FakeNode node, ProduceRequest req, StreamObserver<ProduceResponse> obs, boolean fail,
            AtomicInteger inFlight) {
        inFlight.decrementAndGet();
        if (fail) {
            obs.onError(FakeNode.error(Status.Code.RESOURCE_EXHAUSTED, ErrorCode.BUSY, "busy", null));
        } else {
            FakeNode.reply(obs, node.success(req, false));
        }
    }

    @Test
    void closingTheClientFailsOperationsInFlight() {
        DLedgerClient client = client(cluster.clientBuilder());
        cluster.node("n1").produce = (req, obs) -> { }; // never answers
        CompletableFuture<SendResult> pending = client.newProducer().sendAsync("t", Message.of("x"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !cluster.node("n1").produces.isEmpty());

        client.close();

        Throwable failure = pending.handle((v, e) -> e).join();
        assertThat(failure).isInstanceOfSatisfying(DLedgerException.class, e -> {
            assertThat(e.grpcCode()).isEqualTo(Status.Code.CANCELLED);
            assertThat(e.retryable()).isFalse();
        });
        assertThatThrownBy(client::newProducer).isInstanceOf(DLedgerException.class);
    }

    @Test
    void closingTheClientFailsASendOnItsWayAsOutcomeUnknownAndLaterOnesAsClientClosed() {
        DLedgerClient client = client(cluster.clientBuilder());
        cluster.node("n1").produce = (req, obs) -> { }; // holds every produce: the answer never comes
        Producer producer = client.newProducer();
        CompletableFuture<SendResult> onItsWay = producer.sendAsync("t", Message.of("x"));
        await().atMost(Duration.ofSeconds(5)).until(() -> cluster.node("n1").produces.size() == 1);

        client.close();

        assertThat(onItsWay).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingCause()
                .isInstanceOfSatisfying(DLedgerException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("may have been carried out");
                });
        assertThatThrownBy(() -> client.admin().describeTopic("t")).isInstanceOfSatisfying(DLedgerException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CLIENT_CLOSED));
    }

    @Test
    void closingTheClientFailsAReadOnItsWayAsClientClosed() {
        DLedgerClient client = client(cluster.clientBuilder());
        cluster.node("n1").pull = (req, obs) -> { }; // holds every pull: the answer never comes
        CompletableFuture<PullResult> onItsWay = client.newPullConsumer().pullAsync(PullRequestOptions.of("t", 0, 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> cluster.node("n1").pulls.size() == 1);

        client.close();

        assertThat(onItsWay).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingCause()
                .isInstanceOfSatisfying(DLedgerException.class, e -> {
                    assertThat(e.code()).as("a read changes nothing: no outcome to be unsure of")
                            .isEqualTo(ErrorCode.CLIENT_CLOSED);
                    assertThat(e.retryable()).isFalse();
                });
    }

    @Test
    void whenNoNodeAnswersAnOperationFailsAtItsDeadlineAsNodeUnavailable() {
        DLedgerClient client = client(cluster.clientBuilder().operationTimeout(Duration.ofMillis(500)));
        cluster.node("n1").stop();
        cluster.node("n2").stop();
        cluster.node("n3").stop();

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.admin().deleteTopic("t")) // not idempotent: still retried, nothing was sent
                .isInstanceOfSatisfying(DLedgerException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NODE_UNAVAILABLE);
                    assertThat(e.getMessage()).contains("no node answered");
                });
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(400);
    }

    @Test
    void afterACloseNoSendTheNodeReceivedIsReportedAsClientClosedNotEvenInACombinedRequest() {
        DLedgerClient client = client(cluster.clientBuilder());
        List<java.util.Map.Entry<ProduceRequest, Runnable>> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        FakeNode n1 = cluster.node("n1");
        n1.produce = (req, obs) -> held.add(java.util.Map.entry(req,
                () -> FakeNode.reply(obs, n1.success(req, false))));
        Producer producer = client.newProducer();
        List<CompletableFuture<SendResult>> sends = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // the requests a topic keeps in flight, one message each
            sends.add(producer.sendAsync("t", Message.of("m-" + i)));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 4);
        sends.add(producer.sendAsync("t", Message.of("m-4"))); // these two wait, then travel together
        sends.add(producer.sendAsync("t", Message.of("m-5")));
        sends.add(producer.sendAsync("t", Message.of("m-6")));
        String answered = held.get(0).getKey().getMessages(0).getBody().toStringUtf8();
        held.get(0).getValue().run(); // one request answered: a slot frees up
        await().atMost(Duration.ofSeconds(5)).until(() -> n1.produces.size() == 5);
        assertThat(n1.produces.get(4).getMessagesCount()).isEqualTo(3);

        client.close();

        java.util.Set<String> received = new java.util.HashSet<>();
        n1.produces.forEach(r -> r.getMessagesList().forEach(m -> received.add(m.getBody().toStringUtf8())));
        for (int i = 0; i < sends.size(); i++) {
            String body = "m-" + i;
            if (body.equals(answered)) {
                assertThat(sends.get(i)).succeedsWithin(Duration.ofSeconds(5));
                continue;
            }
            assertThat(sends.get(i)).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingCause()
                    .isInstanceOfSatisfying(DLedgerException.class, e -> assertThat(e.code()).as(body)
                            .isEqualTo(received.contains(body) ? ErrorCode.OUTCOME_UNKNOWN : ErrorCode.CLIENT_CLOSED));
        }
        assertThat(received).contains("m-4", "m-5", "m-6");
    }
}
