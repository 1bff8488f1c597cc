package io.dledger.broker.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LeaderExitDetectorTest {
    private static final InetSocketAddress LEADER = new InetSocketAddress("127.0.0.1", 9001);

    /** A follower of {@link #LEADER} in term 1 that records every timeout change. */
    private final AtomicReference<Optional<InetSocketAddress>> followed = new AtomicReference<>(Optional.of(LEADER));
    private final AtomicLong term = new AtomicLong(1);
    private final java.util.concurrent.atomic.AtomicBoolean leads = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<String> changes = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
    private final AtomicInteger failingRestores = new AtomicInteger(); // restores that throw before one succeeds
    private final LeaderExitDetector.Election election = new LeaderExitDetector.Election() {
        @Override
        public Optional<InetSocketAddress> followedLeader() {
            return followed.get();
        }

        @Override
        public boolean firstToStand(InetSocketAddress goneLeader) {
            return first.get();
        }

        @Override
        public boolean leads() {
            return leads.get();
        }

        @Override
        public long term() {
            return term.get();
        }

        @Override
        public void electionTimeouts(int timeoutMs, int maxDelayMs) {
            if (timeoutMs == 500 && failingRestores.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("node busy");
            }
            changes.add(timeoutMs + "+" + maxDelayMs);
        }
    };
    private final AtomicInteger probes = new AtomicInteger();
    private LeaderExitDetector detector;

    private LeaderExitDetector detector(LeaderExitDetector.PortProbe probe) {
        detector = new LeaderExitDetector(election, address -> {
            probes.incrementAndGet();
            return probe.refused(address);
        }, 500, 500, 50, 5);
        return detector;
    }

    @AfterEach
    void close() {
        if (detector != null) {
            detector.close();
        }
    }

    @Test
    void aGoneLeaderShortensTheElectionTimeoutUntilThisNodeLeads() {
        detector(address -> address.equals(LEADER)).connectionClosed();
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 1);
        assertThat(changes).containsExactly("50+100");

        followed.set(Optional.empty()); // electing: nothing changes back yet
        detector.connectionClosed();
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5))
                .until(() -> changes.equals(List.of("50+100")));

        leads.set(true); // at once, before the state machine hears of the new term
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 2);
        assertThat(changes).containsExactly("50+100", "500+500");
    }

    @Test
    void onlyTheFirstFollowerByIdShortensItsRandomDelay() {
        first.set(false);
        detector(address -> true).connectionClosed();
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 1);
        assertThat(changes).containsExactly("50+500"); // a short lease, the normal spread
    }

    @Test
    void followingAnotherLeaderOrTheSameAddressInANewerTermRestoresTheTimeouts() {
        detector(address -> true).connectionClosed();
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 1);
        followed.set(Optional.of(new InetSocketAddress("127.0.0.1", 9002)));
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 2);

        followed.set(Optional.of(LEADER)); // gone again; then the same address comes back and is elected
        detector.connectionClosed();
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 3);
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 3);
        term.set(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 4);
        assertThat(changes).containsExactly("50+100", "500+500", "50+100", "500+500");
    }

    @Test
    void aFailedChangeIsRetriedAndNeverLeavesTheNodeFast() {
        failingRestores.set(2);
        detector(address -> true).connectionClosed();
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 1);
        leads.set(true);
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 2);
        assertThat(changes).containsExactly("50+100", "500+500");
        assertThat(failingRestores.get()).isZero();
    }

    @Test
    void aLeaderThatStillAcceptsConnectionsOrNoLeaderChangesNothing() {
        detector(address -> false).connectionClosed();
        await().atMost(Duration.ofSeconds(5)).until(() -> probes.get() == 1);

        followed.set(Optional.empty()); // a candidate or a leader follows nobody: no probe at all
        detector.connectionClosed();
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5))
                .until(() -> probes.get() == 1 && changes.isEmpty());
    }

    @Test
    void withoutANewLeaderTheNormalTimeoutsComeBackAfterAWhile() {
        detector = new LeaderExitDetector(election, address -> true, 10, 20, 5, 5); // gives up after 20 x 10 ms
        detector.connectionClosed();
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 2);
        assertThat(changes).containsExactly("5+20", "10+20"); // the delay: at most the normal one
    }

    @Test
    void closesWhileAProbeRunsQueueOneMoreProbeAtMost() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        detector(address -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        });
        for (int i = 0; i < 50; i++) {
            detector.connectionClosed();
        }
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> probes.get() >= 1);
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> probes.get() <= 2);
    }

    @Test
    void theRealProbeTellsARefusedPortFromAListeningOne() throws Exception {
        try (ServerSocket listening = new ServerSocket(0)) {
            assertThat(LeaderExitDetector.connectRefused(new InetSocketAddress("127.0.0.1", listening.getLocalPort())))
                    .isFalse();
        }
        int freed;
        try (ServerSocket s = new ServerSocket(0)) {
            freed = s.getLocalPort();
        }
        assertThat(LeaderExitDetector.connectRefused(new InetSocketAddress("127.0.0.1", freed))).isTrue();
    }
}
