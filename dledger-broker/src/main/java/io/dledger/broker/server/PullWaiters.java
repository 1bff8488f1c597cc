package io.dledger.broker.server;

import io.dledger.broker.store.QueueListener;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Long polling: pulls that found nothing wait here, per queue, until the store publishes new messages of
 * that queue or their deadline passes; either way the pull runs again on the read executor (once). At most
 * {@code maxWaiting} pulls wait at once, so requests cannot pile up waiters without bound.
 *
 * <p>Thread-safety: {@link #published} runs on the state machine thread and only hands work off (never throws: a
 * pull woken after the read executor closed, the node stopping, is dropped); everything else is safe from any thread.
 */
final class PullWaiters implements QueueListener {
    private record QueueKey(String topic, int queue) {
    }

    /** One waiting pull; {@link #fire} runs it at most once. */
    private final class Waiter {
        final AtomicBoolean fired = new AtomicBoolean();
        final QueueKey key;
        final Runnable retry;
        volatile ScheduledFuture<?> timeout;

        Waiter(QueueKey key, Runnable retry) {
            this.key = key;
            this.retry = retry;
        }

        void fire() {
            if (fired.compareAndSet(false, true)) {
                count.decrementAndGet();
                Set<Waiter> set = waiting.get(key);
                if (set != null) {
                    set.remove(this);
                }
                ScheduledFuture<?> t = timeout;
                if (t != null) {
                    t.cancel(false);
                }
                try {
                    reads.execute(retry);
                } catch (RejectedExecutionException closing) {
                    // the node is stopping: its gRPC server cancelled the call this pull would answer
                }
            }
        }
    }

    private final ConcurrentHashMap<QueueKey, Set<Waiter>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final ScheduledExecutorService timer;
    private final Executor reads;
    private final int maxWaiting;

    PullWaiters(ScheduledExecutorService timer, Executor reads, int maxWaiting) {
        this.timer = timer;
        this.reads = reads;
        this.maxWaiting = maxWaiting;
    }

    /**
     * Parks a pull of {@code topic}/{@code queue}: {@code retry} runs when new messages are published or
     * after {@code waitMs}. The caller re-checks the queue after this returns, so a message published
     * while it was registering is not missed.
     *
     * @return what runs the pull at once, or {@code null} when {@code maxWaiting} pulls wait already (nothing parked)
     */
    Runnable await(String topic, int queue, long waitMs, Runnable retry) {
        if (count.incrementAndGet() > maxWaiting) {
            count.decrementAndGet();
            return null;
        }
        QueueKey key = new QueueKey(topic, queue);
        Waiter w = new Waiter(key, retry);
        waiting.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(w);
        w.timeout = timer.schedule(w::fire, waitMs, TimeUnit.MILLISECONDS);
        return w::fire;
    }

    @Override
    public void published(String topic, int queue) {
        if (count.get() == 0) { // nobody waits (the map keeps empty sets of queues polled before)
            return;
        }
        Set<Waiter> set = waiting.get(new QueueKey(topic, queue));
        if (set == null || set.isEmpty()) {
            return;
        }
        for (Waiter w : set.toArray(new Waiter[0])) {
            w.fire();
        }
    }

    int waitingCount() {
        return count.get();
    }
}
