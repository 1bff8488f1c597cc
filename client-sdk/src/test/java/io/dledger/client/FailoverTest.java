package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dledger.proto.ProduceRequest;
import io.dledger.proto.Role;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A leader crash followed by an election: the client must find the new leader promptly. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FailoverTest {

    private final ScheduledExecutorService election = Executors.newSingleThreadScheduledExecutor();
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
        election.shutdownNow();
        client.close();
        cluster.close();
    }

    @Test
    void aWaitForAnotherLeaderEndsWithTheElectionNotWithTheWait() {
        cluster.node("n1").stop(); // the followers still name n1
        try (ClusterRouter router = new ClusterRouter(cluster.clientConfig())) {
            router.leaders().refresh().join(); // n1 is named but does not answer: no usable leader
            CompletableFuture<Void> waiting = router.leaders().awaitAnother("n1", TimeUnit.SECONDS.toNanos(25));
            assertThat(waiting).isNotDone();
            election.schedule(() -> {
                for (FakeNode n : List.of(cluster.node("n2"), cluster.node("n3"))) {
                    n.term = 2;
                    n.leader = cluster.node("n2").ref();
                    n.role = n.id.equals("n2") ? Role.LEADER : Role.FOLLOWER;
                }
            }, 300, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(10)).until(waiting::isDone); // well before its 25 s
            assertThat(router.leaders().current().id()).isEqualTo("n2");
        }
    }

    @Test
    void waitersForAnotherLeaderShareOnePollAndALiveLeaderKeepsThemWaitingTheirTime() {
        try (ClusterRouter router = new ClusterRouter(cluster.clientConfig())) {
            router.leaders().refresh().join();
            int before = cluster.totalStatusCalls();
            List<CompletableFuture<Void>> waits = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                waits.add(router.leaders().awaitAnother("n1", TimeUnit.MILLISECONDS.toNanos(500)));
            }
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).join(); // n1 still leads: the full wait
            assertThat(router.leaders().current().id()).isEqualTo("n1");
            // 500 ms / 25 ms = 20 polls of 3 nodes for all 50 waiters together, not a probe per waiter
            assertThat(cluster.totalStatusCalls() - before).isLessThan(3 * 30);
        }
    }

    @Test
    void sendsInFlightDuringAnElectionCompleteSoonAfterTheNewLeaderIsKnown() {
        Producer producer = client.newProducer();
        producer.send("t", Message.of("warm-up"));

        cluster.node("n1").stop(); // crash: followers still name n1 until their election timeout
        AtomicLong electedAt = new AtomicLong();
        election.schedule(() -> {
            for (FakeNode n : List.of(cluster.node("n2"), cluster.node("n3"))) {
                n.term = 2;
                n.leader = cluster.node("n2").ref();
                n.role = n.id.equals("n2") ? Role.LEADER : Role.FOLLOWER;
            }
            electedAt.set(System.nanoTime());
        }, 300, TimeUnit.MILLISECONDS);

        List<CompletableFuture<SendResult>> sends = List.of(
                producer.sendAsync("t", Message.of("a")),
                producer.sendAsync("t", Message.of("b")),
                producer.sendAsync("t", Message.of("c")));
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        long afterElectionMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - electedAt.get());

        assertThat(afterElectionMs).as("time from election to completion").isLessThan(800);
        assertThat(cluster.node("n2").produces).extracting(ProduceRequest::getSequence)
                .containsExactlyInAnyOrder(2L, 3L, 4L);
        assertThat(cluster.node("n3").produces).isEmpty();
    }
}
