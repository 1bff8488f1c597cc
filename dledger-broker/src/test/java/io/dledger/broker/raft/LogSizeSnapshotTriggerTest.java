package io.dledger.broker.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.concurrent.ManualExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LogSizeSnapshotTriggerTest {

    private final List<long[]> passedOn = new ArrayList<>();
    private final List<CompletableFuture<Long>> asked = new ArrayList<>();

    private LogSizeSnapshotTrigger trigger(long threshold, Executor executor) {
        LogSizeSnapshotTrigger t = new LogSizeSnapshotTrigger(threshold,
                (entries, bytes, nanos) -> passedOn.add(new long[] {entries, bytes, nanos}), executor);
        t.start(() -> {
            CompletableFuture<Long> f = new CompletableFuture<>();
            asked.add(f);
            return f;
        });
        return t;
    }

    @Test
    void asksForOneSnapshotPerThresholdOfAppendedBytesAndPassesEveryAppendOn() {
        ManualExecutor executor = new ManualExecutor();
        LogSizeSnapshotTrigger t = trigger(1000, executor);
        t.appended(1, 600, 5);
        executor.runAll();
        assertThat(asked).isEmpty();
        t.appended(2, 500, 6); // 1,100 bytes
        executor.runAll();
        assertThat(asked).hasSize(1);
        t.appended(1, 2000, 7); // past the threshold again while the first still runs: not a second one
        executor.runAll();
        assertThat(asked).hasSize(1);

        asked.get(0).complete(42L);
        t.appended(1, 1, 8); // the 2,000 bytes counted meanwhile are past the threshold
        executor.runAll();
        assertThat(asked).hasSize(2);
        assertThat(passedOn).hasSize(4);
        assertThat(passedOn.get(1)).containsExactly(2, 500, 6);
    }

    @Test
    void aFailedOrRefusedSnapshotLetsTheNextThresholdTryAgain() {
        ManualExecutor executor = new ManualExecutor();
        LogSizeSnapshotTrigger t = trigger(100, executor);
        t.appended(1, 100, 1);
        executor.runAll();
        asked.get(0).completeExceptionally(new IllegalStateException("snapshot failed: EBUSY"));
        t.appended(1, 100, 1);
        executor.runAll();
        assertThat(asked).hasSize(2);

        java.util.concurrent.atomic.AtomicBoolean reject = new java.util.concurrent.atomic.AtomicBoolean(true);
        LogSizeSnapshotTrigger stopping = trigger(100, task -> {
            if (reject.getAndSet(false)) {
                throw new RejectedExecutionException("shut down");
            }
            task.run();
        });
        stopping.appended(1, 500, 1); // rejected: nothing asked, nothing thrown at the log thread
        assertThat(asked).hasSize(2);
        stopping.appended(1, 100, 1); // and it is not stuck
        assertThat(asked).hasSize(3);
    }

    @Test
    void aSnapshotCallThatThrowsLetsTheNextThresholdTryAgain() {
        List<String> calls = new ArrayList<>();
        LogSizeSnapshotTrigger t = new LogSizeSnapshotTrigger(100, (e, b, n) -> { }, Runnable::run);
        t.start(() -> {
            calls.add("asked");
            if (calls.size() == 1) {
                throw new IllegalStateException("node not ready");
            }
            return CompletableFuture.completedFuture(7L);
        });
        t.appended(1, 100, 1);
        t.appended(1, 100, 1);
        assertThat(calls).hasSize(2);
    }

    @Test
    void theNextObserverHearsOfEveryAppendWhateverTheExecutorDoes() {
        LogSizeSnapshotTrigger t = trigger(100, task -> {
            throw new IllegalStateException("unexpected");
        });
        t.appended(3, 100, 9);
        assertThat(passedOn).hasSize(1);
        assertThat(passedOn.get(0)).containsExactly(3, 100, 9);
    }

    @Test
    void doesNothingBeforeStartOrWithAThresholdOfZero() {
        ManualExecutor executor = new ManualExecutor();
        LogSizeSnapshotTrigger unstarted = new LogSizeSnapshotTrigger(10, (e, b, n) -> { }, executor);
        unstarted.appended(1, 1000, 1);
        LogSizeSnapshotTrigger off = trigger(0, executor);
        off.appended(1, 1L << 40, 1);
        executor.runAll();
        assertThat(asked).isEmpty();
        assertThat(passedOn).hasSize(1);
    }
}
