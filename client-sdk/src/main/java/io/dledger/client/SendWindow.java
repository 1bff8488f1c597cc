package io.dledger.client;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.TreeSet;
import java.util.function.LongConsumer;

/**
 * Hands out a producer's sequence numbers (1, 2, 3, ...) and keeps every unresolved sequence within
 * {@code capacity} of the oldest unresolved one: sequence {@code s} is dispatched only while
 * {@code s < oldestUnresolved + capacity}; later ones wait, in order, and are dispatched as older ones resolve.
 *
 * <p>Why: the broker remembers the last 256 sequences it applied per producer and rejects a sequence older than
 * that window as {@code SEQUENCE_TOO_OLD} (it can no longer tell whether it is a retry). With at most
 * {@code capacity <= 256} sequences between the oldest unresolved one and the newest sent, fewer than 256 newer
 * sequences can be applied while one is still pending or being retried, so it can never fall out of the window,
 * however requests are reordered by retries and failover.
 *
 * <p>Dispatching is trampolined: one thread at a time runs the dispatch callbacks, in sequence order, and a
 * {@link #release} made from inside a dispatch (an operation that failed synchronously) only queues work for that
 * thread instead of recursing, so a long queue cannot overflow the stack.
 *
 * <p>Thread-safe: one lock guards the state; callbacks run outside it.
 */
final class SendWindow {

    /** The broker's per-producer deduplication window. */
    static final int BROKER_WINDOW = 256;

    private record Pending(long sequence, LongConsumer dispatch) {
    }

    private final int capacity;
    private final TreeSet<Long> unresolved = new TreeSet<>();
    private final Deque<Pending> waiting = new ArrayDeque<>();
    private final Deque<Pending> ready = new ArrayDeque<>();
    private long nextSequence = 1;
    private boolean draining;

    SendWindow(int capacity) {
        if (capacity < 1 || capacity > BROKER_WINDOW) {
            throw new IllegalArgumentException("capacity must be within 1.." + BROKER_WINDOW + ": " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Takes the next sequence and has {@code dispatch} called with it once it fits the window: at once on this
     * thread when it fits now (and no other thread is dispatching), otherwise later, on the thread that makes room.
     *
     * @return the sequence taken
     */
    long acquire(LongConsumer dispatch) {
        long sequence;
        synchronized (this) {
            sequence = nextSequence++;
            unresolved.add(sequence);
            Pending p = new Pending(sequence, dispatch);
            if (waiting.isEmpty() && fits(sequence)) {
                ready.addLast(p);
            } else {
                waiting.addLast(p);
            }
        }
        drain();
        return sequence;
    }

    /** Marks {@code sequence} resolved (answered, failed for good, or never sent) and dispatches what now fits. */
    void release(long sequence) {
        synchronized (this) {
            unresolved.remove(sequence);
            while (!waiting.isEmpty() && fits(waiting.peekFirst().sequence())) {
                ready.addLast(waiting.pollFirst());
            }
        }
        drain();
    }

    /** Sequences waiting for room. */
    synchronized int waitingCount() {
        return waiting.size();
    }

    private void drain() {
        synchronized (this) {
            if (draining || ready.isEmpty()) {
                return;
            }
            draining = true;
        }
        boolean done = false;
        try {
            while (true) {
                Pending next;
                synchronized (this) {
                    next = ready.pollFirst();
                    if (next == null) {
                        draining = false;
                        done = true;
                        return;
                    }
                }
                next.dispatch().accept(next.sequence());
            }
        } finally {
            if (!done) { // a callback threw: let the next caller carry on
                synchronized (this) {
                    draining = false;
                }
            }
        }
    }

    private boolean fits(long sequence) {
        return sequence < unresolved.first() + capacity;
    }
}
