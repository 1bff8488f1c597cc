package io.dledger.client;

import java.util.concurrent.CompletableFuture;

/**
 * Reads committed messages of one queue at a time, from the leader by default or from a chosen node.
 *
 * <p>The consumer keeps no position: the caller passes the offset and continues from
 * {@link PullResult#nextOffset()}. Pulls are retried on transient errors (node unavailable, leader change, per
 * attempt timeout) until the client's operation timeout; a pull from the leader re-discovers the leader between
 * attempts. A pull from a named node asks only that node and gives up after one request timeout (plus the
 * long-polling wait), so a caller whose chosen node is down can fall back to the leader at once. An offset outside the
 * stored range fails with {@link ErrorCode#OFFSET_OUT_OF_RANGE}; {@link DLedgerException#storedOffsets()} then carries
 * the queue's current min and max offsets. A follower does not refuse an offset past its end, or a topic it does not
 * know, since it may only lag: past its end it waits (up to the pull's wait) for the offset to arrive; if it does
 * not, or for an unknown topic, it answers with no messages and suggests the leader
 * ({@link PullResult#followerBehind()}), which decides. A pull meant for the leader that gets such an answer (the
 * leader moved while this client only pulled) is sent on to the node it names, once, and pulls meant for the leader
 * go there from then on; the caller sees the second answer.
 * While it knows no leader it fails the pull with {@link ErrorCode#NODE_UNAVAILABLE}.
 *
 * <p>Thread-safe: one consumer may be shared by any number of threads. Closing it only stops new pulls.
 */
public interface PullConsumer extends AutoCloseable {

    /**
     * Pulls up to {@code maxMessages} messages from the leader.
     *
     * @param topic       topic
     * @param queue       queue of the topic
     * @param offset      first offset wanted
     * @param maxMessages at most this many messages ({@code 0} = server default)
     * @return the messages and the offset to continue from
     * @throws DLedgerException on failure
     */
    PullResult pull(String topic, int queue, long offset, int maxMessages);

    /**
     * Pulls with every option.
     *
     * @param options what to read and from which node ({@link PullRequestOptions#nodeId()} {@code null} = the
     *                leader)
     * @return the messages and the offset to continue from
     * @throws DLedgerException on failure
     */
    PullResult pull(PullRequestOptions options);

    /**
     * Asynchronous {@link #pull(PullRequestOptions)}. Never blocks the calling thread.
     *
     * @param options what to read and from which node
     * @return completes with the pull result, or fails with a {@link DLedgerException}
     */
    CompletableFuture<PullResult> pullAsync(PullRequestOptions options);

    /**
     * Per queue, the first offset whose message was stored at or after {@code timestampMs}: where to start reading (or
     * to reset a group) to get everything stored since that time. One request to the leader, which finds each offset
     * with a binary search over its queue's store times (some 20 record reads for a million messages); retried like any
     * read. Store times follow the clock of the leader that took each write: after a leader change between nodes whose
     * clocks are apart, the offset found is one where the times cross {@code timestampMs}, not necessarily the first.
     *
     * @param topic       topic
     * @param timestampMs milliseconds since the epoch, not negative
     * @param queues      the queues, each named once (none: every queue of the topic)
     * @return the topic's incarnation and, per queue, an offset in its range [min, max]: its first offset when every
     *         kept message is that new, its end ({@code max}) when none is
     * @throws DLedgerException {@link ErrorCode#TOPIC_NOT_FOUND}, {@link ErrorCode#QUEUE_NOT_FOUND},
     *                          {@link ErrorCode#INVALID_ARGUMENT} for a negative time or a queue named twice, and as
     *                          {@link #pull(String, int, long, int)} for the rest
     * @throws UnsupportedOperationException from this default, for an implementation of this interface outside the
     *                          SDK that does not implement it (the SDK's consumers do); {@link #offsetForTime} too
     */
    default TimeOffsets offsetsForTime(String topic, long timestampMs, int... queues) {
        throw new UnsupportedOperationException("offsetsForTime is not supported by " + getClass().getName());
    }

    /**
     * {@link #offsetsForTime} of one queue.
     *
     * @param topic       topic
     * @param queue       queue of the topic
     * @param timestampMs milliseconds since the epoch, not negative
     * @return an offset in the queue's range [min, max]
     * @throws DLedgerException as {@link #offsetsForTime}
     */
    default long offsetForTime(String topic, int queue, long timestampMs) {
        return offsetsForTime(topic, timestampMs, queue).offsets().get(queue);
    }

    /** Stops accepting new pulls. Idempotent. */
    @Override
    void close();
}
