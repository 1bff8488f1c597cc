package io.dledger.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Client-side group commit for single-message sends: while fewer than {@code maxInFlight} requests of a
 * topic are on the wire, a message is sent at once (no added latency when idle); otherwise it waits and
 * the next request carries every waiting message of that topic (up to {@code maxMessages} and
 * {@code maxBytes}). Many threads sharing one producer therefore cost a few requests, Raft entries and
 * fsyncs instead of one each.
 *
 * <p>Each message keeps the deadline of its own call: a request carries the earliest deadline of its messages, so
 * time spent waiting here counts, and a message whose deadline passed while it waited fails with a timeout
 * instead of being sent.
 *
 * <p>A combined request the broker rejects with a non-retryable error is split: each message is sent again on
 * its own, so a bad message fails only its own send. A request that may have been stored is not split (new
 * sequences could store it twice): every message of it gets the error. That is a failure without the broker's
 * answer, and also a rejection that followed an earlier attempt whose outcome is unknown.
 *
 * <p>When a request finishes, the next one of its topic is sent before the finished one's callers are told, so
 * waking them does not delay it; except when the finished one's messages are sent again one by one: that happens
 * while its slot is still held, so with one request in flight per topic ({@code maxInFlight} 1) no later message of
 * the topic is sent before them, and the topic's messages are sent in call order.
 *
 * <p>Thread-safe: one lock guards the per-topic queues; requests are sent outside it.
 */
final class ProduceAccumulator {
    /** Sends one request of messages; the future holds one result per message, in order. */
    interface Sender {
        CompletableFuture<BatchSendResult> send(String topic, List<io.dledger.proto.Message> messages,
                                                long deadlineNanos);
    }

    private record Waiting(io.dledger.proto.Message message, long deadlineNanos,
                           CompletableFuture<SendResult> result) {
    }

    /** One topic's waiting messages and requests on the wire. */
    private static final class TopicState {
        final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        int inFlight;
    }

    private final Sender sender;
    private final int maxInFlight;
    private final int maxMessages;
    private final int maxBytes;
    private final Map<String, TopicState> topics = new HashMap<>();
    /** Per thread: whether it runs a {@link #dispatch}, and the sends queued meanwhile. */
    private final ThreadLocal<Dispatching> dispatching = ThreadLocal.withInitial(Dispatching::new);

    private static final class Dispatching {
        boolean running;
        final ArrayDeque<Runnable> queued = new ArrayDeque<>();
    }

    ProduceAccumulator(Sender sender, int maxInFlight, int maxMessages, int maxBytes) {
        this.sender = sender;
        this.maxInFlight = maxInFlight;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    /** Sends {@code message}, waiting for room no later than {@code deadlineNanos} ({@link System#nanoTime}). */
    CompletableFuture<SendResult> send(String topic, io.dledger.proto.Message message, long deadlineNanos) {
        CompletableFuture<SendResult> result = new CompletableFuture<>();
        List<Waiting> group;
        List<Waiting> expired = new ArrayList<>();
        synchronized (this) {
            TopicState t = topics.computeIfAbsent(topic, k -> new TopicState());
            t.waiting.add(new Waiting(message, deadlineNanos, result));
            group = takeGroup(t, expired);
        }
        failExpired(expired);
        if (group != null) {
            dispatch(topic, group);
        }
        return result;
    }

    /**
     * The next group to send when the topic has room on the wire (caller holds the lock); messages whose deadline
     * passed while they waited go to {@code expired}, to be failed once the lock is released.
     */
    private List<Waiting> takeGroup(TopicState t, List<Waiting> expired) {
        if (t.inFlight >= maxInFlight || t.waiting.isEmpty()) {
            return null;
        }
        List<Waiting> group = new ArrayList<>();
        int bytes = 0;
        long now = System.nanoTime();
        while (!t.waiting.isEmpty() && group.size() < maxMessages) {
            if (t.waiting.peek().deadlineNanos() - now <= 0) {
                expired.add(t.waiting.poll());
                continue;
            }
            int size = t.waiting.peek().message().getSerializedSize();
            if (!group.isEmpty() && bytes + size > maxBytes) {
                break;
            }
            group.add(t.waiting.poll());
            bytes += size;
        }
        if (group.isEmpty()) {
            return null;
        }
        t.inFlight++;
        return group;
    }

    /**
     * Sends {@code group}, whose slot it holds. A request that finishes at once (the client closed: every send fails
     * synchronously) sends the next group from its callback, inside this call: such sends are queued and run here in
     * a loop instead of nesting, so a long backlog cannot overflow the stack (a {@link StackOverflowError} in a
     * callback would be swallowed, leaving the rest of the backlog's callers waiting forever).
     */
    private void dispatch(String topic, List<Waiting> group) {
        Dispatching d = dispatching.get();
        if (d.running) {
            d.queued.add(() -> sendGroup(topic, group));
            return;
        }
        d.running = true;
        try {
            sendGroup(topic, group);
            for (Runnable next = d.queued.poll(); next != null; next = d.queued.poll()) {
                next.run();
            }
        } finally {
            d.running = false;
            d.queued.clear(); // empty unless sendGroup threw (it turns a sender's failure into a failed future)
        }
    }

    private void sendGroup(String topic, List<Waiting> group) {
        List<io.dledger.proto.Message> messages = new ArrayList<>(group.size());
        long deadline = group.get(0).deadlineNanos();
        for (Waiting w : group) {
            messages.add(w.message());
            if (w.deadlineNanos() - deadline < 0) {
                deadline = w.deadlineNanos();
            }
        }
        CompletableFuture<BatchSendResult> sent;
        try {
            sent = sender.send(topic, messages, deadline);
        } catch (RuntimeException e) { // a bug, not a send failure: still free the slot and tell the callers
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((batch, error) -> {
            // a rejected request's messages are sent again one by one while its slot is still held, so no later
            // send of the topic takes a sequence before them (call order, with maxInFlightPerProducer(1)); otherwise
            // the next request goes out before this one's callers are woken (completing a group unparks up to
            // maxMessages threads, time the next request would spend waiting)
            boolean split = splits(group, error);
            try {
                if (split) {
                    complete(topic, group, batch, error);
                }
            } finally {
                List<Waiting> expired = new ArrayList<>();
                List<Waiting> next = freeSlot(topic, expired);
                try {
                    sendNext(topic, next);
                } finally {
                    failExpired(expired);
                    if (!split) {
                        complete(topic, group, batch, error);
                    }
                }
            }
        });
    }

    /**
     * Frees the slot of a finished request of {@code topic} and takes the topic's next group, if any (it then holds
     * the slot); messages whose deadline passed while they waited go to {@code expired}.
     */
    private List<Waiting> freeSlot(String topic, List<Waiting> expired) {
        synchronized (this) {
            TopicState t = topics.get(topic);
            t.inFlight--;
            List<Waiting> next = takeGroup(t, expired);
            if (t.inFlight == 0 && t.waiting.isEmpty()) {
                topics.remove(topic);
            }
            return next;
        }
    }

    private void sendNext(String topic, List<Waiting> next) {
        if (next != null) {
            dispatch(topic, next);
        }
    }

    /**
     * Whether a finished request's messages are sent again one by one: the broker rejected it (its typed answer,
     * with its error detail, to the only uncertain-free attempts: nothing was stored) for a reason one of its
     * messages can be alone ({@link #MESSAGE_LEVEL}), and it carried several. A rejection of the whole request (a
     * full disk, an unknown topic) would only be repeated once per message.
     */
    private static boolean splits(List<Waiting> group, Throwable error) {
        if (error == null || group.size() < 2) {
            return false;
        }
        DLedgerException e = Errors.from(error);
        return !e.retryable() && e.fromBroker() && !e.attemptUncertain()
                && MESSAGE_LEVEL.contains(e.code());
    }

    /** Rejections one message of a combined request can cause while the others would be stored. */
    private static final java.util.Set<ErrorCode> MESSAGE_LEVEL = java.util.EnumSet.of(ErrorCode.MESSAGE_TOO_LARGE,
            ErrorCode.EMPTY_MESSAGE, ErrorCode.INVALID_ARGUMENT, ErrorCode.BATCH_TOO_LARGE, ErrorCode.QUEUE_NOT_FOUND);

    private static void failExpired(List<Waiting> expired) {
        expired.forEach(w -> w.result().completeExceptionally(Errors.deadlineBeforeFirstAttempt("send")));
    }

    private void complete(String topic, List<Waiting> group, BatchSendResult batch, Throwable error) {
        if (error == null) {
            for (int i = 0; i < group.size(); i++) {
                group.get(i).result().complete(batch.results().get(i));
            }
            return;
        }
        DLedgerException e = Errors.from(error);
        if (splits(group, error)) {
            // one bad message must not fail the others it travelled with: send each on its own. A failure without
            // the broker's answer (transport, deadline, the client's own errors such as a close while the request was
            // on its way), or a rejection after such a failure, may have been stored: re-sending under new sequences
            // could duplicate it.
            for (Waiting w : group) {
                sender.send(topic, List.of(w.message()), w.deadlineNanos()).whenComplete((b, err) -> {
                    if (err != null) {
                        w.result().completeExceptionally(Errors.from(err));
                    } else {
                        w.result().complete(b.results().get(0));
                    }
                });
            }
            return;
        }
        group.forEach(w -> w.result().completeExceptionally(e));
    }
}
