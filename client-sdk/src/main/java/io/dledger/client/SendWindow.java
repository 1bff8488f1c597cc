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
 * <p>Why: the broker remembers the last {@value #BROKER_WINDOW} sequences it applied per producer, in the order it
 * applied them, and rejects a sequence at or below the largest one it has dropped that it does not hold any more as
 * {@code SEQUENCE_TOO_OLD} (it can no longer tell whether it is a retry). So a pending sequence {@code s} is refused
 * once some {@code e >= s} has been dropped, which takes {@value #BROKER_WINDOW} sequences applied after {@code e}.
 * Every such sequence {@code f} was unresolved when {@code e} was dispatched (it resolves only after it is applied,
 * after {@code e}), so {@code f > e - capacity}; and it was dispatched while {@code s} was unresolved, so
 * {@code f < s + capacity}. That leaves at most {@code 2 * capacity - 2} candidates besides {@code e}, fewer than
 * {@value #BROKER_WINDOW} for a capacity up to 128, so a pending sequence does not fall out of the broker's window
 * however retries and failover reorder the requests. A larger capacity would let late retries of older sequences
 * push a newer one out first, and with it every pending sequence below that one. The count assumes a sequence
 * resolves only once applied; one given up at its deadline resolves while its request may still wait on the leader
 * and be applied later, outside the count: {@value #MAX_CAPACITY} leaves room for {@code BROKER_WINDOW - 2 *
 * MAX_CAPACITY + 1} of those at a time.
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
    /**
     * The largest capacity allowed: the proof in the class comment holds up to 128; 120 leaves a margin for requests
     * given up at their deadline and applied later.
     */
    static final int MAX_CAPACITY = 120;

    private record Pending(long sequence, LongConsumer dispatch) {
    }

    private final int capacity;
    private final TreeSet<Long> unresolved = new TreeSet<>();
    private final Deque<Pending> waiting = new ArrayDeque<>();
    private final Deque<Pending> ready = new ArrayDeque<>();
    private long nextSequence = 1;
    private boolean draining;

    SendWindow(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be within 1.." + MAX_CAPACITY + ": " + capacity);
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
