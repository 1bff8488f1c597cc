package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Long-polling pulls park here until their queue grows or their wait ends, and never more than the limit. */
@Timeout(10)
class PullWaitersTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger ran = new AtomicInteger();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void atMostTheLimitWaitAndAPublishFreesTheirPlaces() {
        PullWaiters waiters = new PullWaiters(timer, Runnable::run, 2);
        assertThat(waiters.await("t", 0, 60_000, ran::incrementAndGet)).isNotNull();
        assertThat(waiters.await("t", 1, 60_000, ran::incrementAndGet)).isNotNull();
        assertThat(waiters.await("t", 0, 60_000, ran::incrementAndGet)).as("full: nothing parked").isNull();
        assertThat(waiters.waitingCount()).isEqualTo(2);

        waiters.published("t", 0);
        assertThat(ran).hasValue(1);
        assertThat(waiters.waitingCount()).isEqualTo(1);
        Runnable wakeNow = waiters.await("t", 0, 60_000, ran::incrementAndGet);
        assertThat(wakeNow).as("a place was freed").isNotNull();

        wakeNow.run();
        wakeNow.run(); // a pull runs once, however it is woken
        assertThat(ran).hasValue(2);
        assertThat(waiters.waitingCount()).isEqualTo(1);
    }

    @Test
    void aWaitThatEndsFreesItsPlace() {
        PullWaiters waiters = new PullWaiters(timer, Runnable::run, 1);
        assertThat(waiters.await("t", 0, 10, ran::incrementAndGet)).isNotNull();
        org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> ran.get() == 1);
        assertThat(waiters.waitingCount()).isZero();
        assertThat(waiters.await("t", 0, 60_000, ran::incrementAndGet)).isNotNull();
    }

    @Test
    void aPublishAfterTheReadExecutorClosedDropsThePullAndDoesNotThrow() {
        java.util.concurrent.ExecutorService reads = Executors.newSingleThreadExecutor();
        reads.shutdownNow(); // the node is stopping
        PullWaiters waiters = new PullWaiters(timer, reads, 2);
        assertThat(waiters.await("t", 0, 60_000, ran::incrementAndGet)).isNotNull();

        waiters.published("t", 0); // on the state machine thread: must not throw

        assertThat(ran).hasValue(0);
        assertThat(waiters.waitingCount()).isZero();
    }
}
