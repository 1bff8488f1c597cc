package io.dledger.client;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one queue for a {@link DefaultPushConsumer}: long-polls the node the last response suggested
 * (the leader at first, and again whenever that node fails), hands each batch to the listener in offset
 * order on the worker executor, and records the next offset to commit. One pull or one batch at a time,
 * so a queue's messages are processed in order.
 *
 * <p>Thread-safety: its steps run one after another on client and worker threads; the offsets it exposes
 * are volatile.
 */
final class QueueWorker {
    private static final Logger LOG = LoggerFactory.getLogger(QueueWorker.class);
    private static final int LONG_POLL_MS = 1000;
    static final int RETRY_PAUSE_MS = 200;
    /** The pause after a failure that retrying does not cure by itself (a park refused to this client's token). */
    static final int REFUSED_PAUSE_MS = 5000;
    /** The longest pause between pulls that keep failing with an error retrying cannot cure. */
    static final int MAX_PAUSE_MS = 10_000;

    /** What the worker needs from its consumer. */
    interface Host {
        PullConsumer puller();

        Executor workers();

        PushConsumerOptions options();

        /**
         * Runs the listener with retries and parking; false when the consumer is closing or {@code owned} turned
         * false (the queue was revoked or fenced) before the message was accepted or parked: it was not processed.
         */
        boolean deliver(ReceivedMessage m, BooleanSupplier owned);

        void countServed(String node, int messages);

        void schedule(Runnable task, long delayMs);

        /** Whether the client was closed: a pull that failed then failed for that, whatever its error says. */
        boolean clientClosed();

        /** The group's heartbeat interval: a queue of a replaced topic waits about this long to be started over. */
        long heartbeatIntervalMs();

        /** The id of the node the client takes for the leader, or {@code null} when it knows none. */
        String leaderId();
    }

    private final Host host;
    private final int queue;
    /** The topic's incarnation the worker consumes ({@code 0}: unknown, unchecked); pulls of another one fail. */
    private final long incarnation;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final BooleanSupplier owned = running::get;
    private final AtomicBoolean idle = new AtomicBoolean(true);
    /** The thread delivering a batch, while it does. */
    private volatile Thread processing;
    /** A pull is on its way (a long poll waits up to {@link #LONG_POLL_MS} for messages). */
    private volatile boolean pulling;
    private volatile long nextOffset;
    private volatile long processedOffset;
    private volatile String node;
    /** The code of the last pull error logged, until a pull succeeds: a stuck queue logs once, not every retry. */
    private volatile ErrorCode reported;
    /** The pause after a pull that failed with an error retrying cannot cure; doubles while they repeat. */
    private volatile int stuckPauseMs = RETRY_PAUSE_MS;

    /** A worker of incarnation {@code incarnation} of the topic ({@code 0}: any), from {@code startOffset}. */
    QueueWorker(Host host, int queue, long startOffset, long incarnation) {
        this.host = host;
        this.queue = queue;
        this.incarnation = incarnation;
        this.nextOffset = startOffset;
        this.processedOffset = startOffset;
    }

    int queue() {
        return queue;
    }

    long incarnation() {
        return incarnation;
    }

    /** Next offset after everything the listener accepted: what to commit. */
    long processedOffset() {
        return processedOffset;
    }

    void start() {
        pull();
    }

    /** Stops after the batch in progress; {@link #isIdle()} tells when it has. */
    void stop() {
        running.set(false);
    }

    /** Whether {@link #stop} was called. */
    boolean stopped() {
        return !running.get();
    }

    /**
     * Whether the worker stopped and delivers nothing: also when the caller is the thread inside the listener (a
     * listener that closes its consumer), which delivers nothing more once it returns, and while only a pull is on its
     * way (its answer, when it comes, delivers nothing to a stopped worker), so a close need not wait out a long poll.
     */
    boolean isIdle() {
        return !running.get() && (idle.get() || pulling || processing == Thread.currentThread());
    }

    private void pull() {
        if (!running.get()) {
            idle.set(true);
            return;
        }
        idle.set(false);
        PushConsumerOptions o = host.options();
        PullRequestOptions req = new PullRequestOptions(o.topic(), queue, nextOffset, o.batchSize(), 0, node,
                LONG_POLL_MS, false, incarnation, o.tags());
        pulling = true;
        host.puller().pullAsync(req).whenComplete((r, e) -> {
            pulling = false;
            if (e != null) {
                onPullError(e);
            } else {
                reported = null;
                stuckPauseMs = RETRY_PAUSE_MS;
                host.workers().execute(() -> process(r));
            }
        });
    }

    private void onPullError(Throwable e) {
        DLedgerException d = Errors.from(e);
        if (d.code() == ErrorCode.CLIENT_CLOSED || host.clientClosed()) {
            idle.set(true); // the client was closed under the consumer: nothing more can be pulled
            return;
        }
        long pause = RETRY_PAUSE_MS;
        long min = d.storedOffsets().map(DLedgerException.StoredOffsets::minOffset).orElse(Long.MIN_VALUE);
        if (nextOffset < min) { // retention moved past us: skip to what is left
            nextOffset = min;
            processedOffset = min;
        } else if (d.code() == ErrorCode.TOPIC_REPLACED) {
            // the consumer restarts the queue in the new topic at its next heartbeat (QueueAssignment): wait for it
            pause = host.heartbeatIntervalMs();
            if (firstReport(d.code())) {
                LOG.info("{}/{}: {}; the queue starts over in the new topic at the next heartbeat",
                        host.options().topic(), queue, d.getMessage());
            }
        } else if (!d.retryable() && node == null) {
            // a transient error (a leader change) passes unremarked, and so does any error of a follower the last
            // answer suggested (one that went down, say): the leader is asked next. One the leader repeats (a message
            // over the client's maxInboundMessageBytes, a deleted topic, an offset past the end of the queue) is
            // logged once and tried less and less often, not silently
            pause = stuckPauseMs;
            stuckPauseMs = Math.min(MAX_PAUSE_MS, 2 * stuckPauseMs);
            if (firstReport(d.code())) {
                LOG.warn("{}/{}: pull failed: {}; trying again, backing off to at most {} s between tries",
                        host.options().topic(), queue, d.getMessage(), MAX_PAUSE_MS / 1000);
            }
        }
        retryLater(pause);
    }

    /** Whether a pull error of {@code code} is to be logged: the first of a streak of them, while running. */
    private boolean firstReport(ErrorCode code) {
        if (code == reported || !running.get()) {
            return false;
        }
        reported = code;
        return true;
    }

    /** Pulls again, from the leader (whatever went wrong), after {@code pauseMs}. */
    private void retryLater(long pauseMs) {
        node = null;
        idle.set(true); // nothing in progress while it waits: a stop needs no wait for the pause
        host.schedule(this::pull, pauseMs);
    }

    private void process(PullResult r) {
        processing = Thread.currentThread();
        try {
            deliverBatch(r);
        } finally {
            processing = null;
        }
    }

    private void deliverBatch(PullResult r) {
        long resume = nextOffset; // where to pull from if this batch stops half-way: after its last processed message
        try {
            if (r.servedBy() != null && !r.messages().isEmpty()) {
                host.countServed(r.servedBy(), r.messages().size());
            }
            for (ReceivedMessage m : r.messages()) {
                if (!running.get() || !host.deliver(m, owned)) {
                    idle.set(true);
                    return;
                }
                processedOffset = m.offset() + 1;
                resume = processedOffset;
            }
            if (!running.get()) { // stopped while the pull was on its way: a final commit may have read the offsets
                idle.set(true);
                return;
            }
            // the whole batch is processed: so are the messages the tag filter passed over, up to the next offset
            processedOffset = Math.max(processedOffset, r.nextOffset());
            nextOffset = r.nextOffset();
            if (host.options().followSuggestions() && r.suggestedNodeId() != null) {
                // a suggestion of the leader (its own "stay", a follower sending the consumer back) is not pinned:
                // the next pull goes to whichever node leads by then, so a leader that dies costs no retries against
                // it (a named node is tried until a request timeout when its host is gone)
                String suggested = r.suggestedNodeId();
                boolean leader = (node == null && suggested.equals(r.servedBy())) || suggested.equals(host.leaderId());
                node = leader ? null : suggested;
            }
        } catch (RuntimeException | Error e) {
            // a message failed every attempt and could not be parked either (cluster unreachable, or the park refused
            // to this client's token), or an Error the
            // listener's attempts do not absorb (OutOfMemoryError) escaped: it is tried again, from the leader, after
            // a pause; the messages before it were processed and are not repeated. The queue never stalls silently.
            // a refusal (a token that may not park) would rerun the listener every 200 ms: the pause is longer
            long pause = e instanceof DLedgerException d && !d.retryable() ? REFUSED_PAUSE_MS : RETRY_PAUSE_MS;
            if (e instanceof Error) {
                LOG.error("queue {}: {} while delivering; retrying from offset {} in {} ms", queue, e, resume, pause);
            } else {
                LOG.warn("queue {}: {}; retrying from offset {} in {} ms", queue, e.getMessage(), resume, pause);
            }
            nextOffset = resume;
            retryLater(pause);
            return;
        }
        pull();
    }

    @Override
    public String toString() {
        return "QueueWorker[" + queue + "@" + nextOffset + " via " + (node == null ? "leader" : node) + "]";
    }

    static long millis(java.time.Duration d) {
        return TimeUnit.NANOSECONDS.toMillis(d.toNanos());
    }
}
