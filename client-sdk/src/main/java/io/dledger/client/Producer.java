package io.dledger.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends messages to the leader of the cluster, exactly once per call even across retries and leader changes.
 *
 * <p>Every producer has its own random non-zero {@link #producerId()}. Each {@code send*} call takes the next
 * sequence number of the producer once, and every retry of that call re-sends the identical request (same producer
 * id, same sequence), so the broker stores it at most once: a retry of a write that had succeeded is answered with
 * the original assignment and {@link SendResult#duplicate()} set.
 *
 * <p>Calls are retried (with leader rediscovery and a short bounded backoff) until the client's operation timeout;
 * non-retryable errors (unknown topic or queue, invalid input, message too large, ...) surface at once. Failures are
 * reported as {@link DLedgerException}.
 *
 * <p>At most a bounded number of requests per producer are on the wire at once (see
 * {@link DLedgerClient.Builder#maxInFlightPerProducer(int)}), which keeps every pending sequence inside the broker's
 * deduplication window; further asynchronous sends wait in an in-memory queue, in call order, without blocking the
 * caller. Their operation deadline runs from the moment of the call.
 *
 * <p>Order: messages with the same key go to the same queue, and a queue keeps messages in the order they were
 * stored. Sends that are on the wire together are usually stored in call order, but not always: when one of them is
 * retried (the leader answered BUSY under load, an attempt timed out, the leader changed) later ones may be stored
 * first; so may the others of a combined request the broker rejected for one bad message (too large, say), which
 * are sent again one by one. For call order per key, send synchronously from one thread, wait for each future
 * before the next send of that key, or set {@link DLedgerClient.Builder#maxInFlightPerProducer(int)} to 1: one
 * request at a time is then on the wire, and such messages are sent again before the next request. That order holds
 * per producer and among single sends ({@code send}, {@code sendAsync}): a batch takes its place when it is called,
 * ahead of single sends still waiting, and a send that failed with an unknown outcome may still be stored after
 * later ones.
 *
 * <p>Cancelling a returned future does not withdraw the send: once accepted, a send runs until it succeeds, fails
 * for good, or reaches its deadline.
 *
 * <p>Thread-safe: one producer may be shared by any number of threads. Closing a producer only stops it from
 * accepting new sends; sends already accepted complete normally. The channels belong to the {@link DLedgerClient}.
 */
public interface Producer extends AutoCloseable {

    /**
     * Sends one message and waits for it to be committed by a Raft majority.
     *
     * @param topic   an existing topic
     * @param message the message
     * @return where it was stored
     * @throws DLedgerException when the send failed or its outcome could not be learned before the deadline
     */
    SendResult send(String topic, Message message);

    /**
     * Sends one message asynchronously. Never blocks the calling thread.
     *
     * @param topic   an existing topic
     * @param message the message
     * @return completes with where it was stored, or fails with a {@link DLedgerException}
     */
    CompletableFuture<SendResult> sendAsync(String topic, Message message);

    /**
     * Sends the messages as one request, stored atomically by one Raft entry, and waits for the commit.
     *
     * @param topic    an existing topic
     * @param messages at least one message
     * @return one result per message, in request order
     * @throws DLedgerException when the batch failed or its outcome could not be learned before the deadline
     */
    BatchSendResult sendBatch(String topic, List<Message> messages);

    /**
     * Asynchronous {@link #sendBatch}. Never blocks the calling thread.
     *
     * @param topic    an existing topic
     * @param messages at least one message
     * @return completes with one result per message, or fails with a {@link DLedgerException}
     */
    CompletableFuture<BatchSendResult> sendBatchAsync(String topic, List<Message> messages);

    /**
     * This producer's idempotence id.
     *
     * @return a random id, never 0
     */
    long producerId();

    /** Stops accepting new sends; sends already accepted still complete. Idempotent. */
    @Override
    void close();
}
