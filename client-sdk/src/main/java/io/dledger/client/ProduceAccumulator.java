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
 * <p>A combined request the broker rejects with a non-retryable error is split: each message is sent again on
 * its own, so a bad message fails only its own send. A failure without the broker's answer is not split (the
 * request may have been stored; new sequences could store it twice): every message of it gets the error.
 *
 * <p>Thread-safe: one lock guards the per-topic queues; requests are sent outside it.
 */
final class ProduceAccumulator {
    /** Sends one request of messages; the future holds one result per message, in order. */
    interface Sender {
        CompletableFuture<BatchSendResult> send(String topic, List<io.dledger.proto.Message> messages);
    }

    private record Waiting(io.dledger.proto.Message message, CompletableFuture<SendResult> result) {
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

    ProduceAccumulator(Sender sender, int maxInFlight, int maxMessages, int maxBytes) {
        this.sender = sender;
        this.maxInFlight = maxInFlight;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    CompletableFuture<SendResult> send(String topic, io.dledger.proto.Message message) {
        CompletableFuture<SendResult> result = new CompletableFuture<>();
        List<Waiting> group;
        synchronized (this) {
            TopicState t = topics.computeIfAbsent(topic, k -> new TopicState());
            t.waiting.add(new Waiting(message, result));
            group = takeGroup(t);
        }
        if (group != null) {
            dispatch(topic, group);
        }
        return result;
    }

    /** The next group to send when the topic has room on the wire (caller holds the lock). */
    private List<Waiting> takeGroup(TopicState t) {
        if (t.inFlight >= maxInFlight || t.waiting.isEmpty()) {
            return null;
        }
        List<Waiting> group = new ArrayList<>();
        int bytes = 0;
        while (!t.waiting.isEmpty() && group.size() < maxMessages) {
            int size = t.waiting.peek().message().getSerializedSize();
            if (!group.isEmpty() && bytes + size > maxBytes) {
                break;
            }
            group.add(t.waiting.poll());
            bytes += size;
        }
        t.inFlight++;
        return group;
    }

    private void dispatch(String topic, List<Waiting> group) {
        List<io.dledger.proto.Message> messages = new ArrayList<>(group.size());
        group.forEach(w -> messages.add(w.message()));
        sender.send(topic, messages).whenComplete((batch, error) -> {
            List<Waiting> next;
            synchronized (this) {
                TopicState t = topics.get(topic);
                t.inFlight--;
                next = takeGroup(t);
                if (t.inFlight == 0 && t.waiting.isEmpty()) {
                    topics.remove(topic);
                }
            }
            complete(topic, group, batch, error);
            if (next != null) {
                dispatch(topic, next);
            }
        });
    }

    private void complete(String topic, List<Waiting> group, BatchSendResult batch, Throwable error) {
        if (error == null) {
            for (int i = 0; i < group.size(); i++) {
                group.get(i).result().complete(batch.results().get(i));
            }
            return;
        }
        DLedgerException e = Errors.from(error);
        if (group.size() > 1 && !e.retryable() && e.typedCode() != null) {
            // the broker rejected the request (a typed answer: nothing was stored), and one bad message must not
            // fail the others it travelled with: send each on its own. A failure without the broker's answer
            // (transport, deadline) may have been stored: re-sending under new sequences could duplicate it.
            for (Waiting w : group) {
                sender.send(topic, List.of(w.message())).whenComplete((b, err) -> {
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
