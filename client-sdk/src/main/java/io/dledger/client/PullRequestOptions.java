package io.dledger.client;

import java.util.Objects;

/**
 * Everything a {@link PullConsumer#pull(PullRequestOptions)} call can say. Immutable, thread-safe.
 *
 * @param topic       topic to read
 * @param queue       queue of the topic
 * @param offset      first offset to return
 * @param maxMessages at most this many messages ({@code 0} = server default)
 * @param maxBytes    at most about this many bytes of message bodies; at least one message is returned when one is
 *                    available ({@code 0} = server default)
 * @param nodeId      id of the node to read from, or {@code null} to read from the current leader
 */
public record PullRequestOptions(String topic, int queue, long offset, int maxMessages, int maxBytes,
        String nodeId) {

    /** Checks the arguments. */
    public PullRequestOptions {
        Objects.requireNonNull(topic, "topic");
        if (maxMessages < 0 || maxBytes < 0) {
            throw new IllegalArgumentException("maxMessages and maxBytes must be >= 0");
        }
    }

    /** Reads from the leader with server-default limits. */
    public static PullRequestOptions of(String topic, int queue, long offset) {
        return new PullRequestOptions(topic, queue, offset, 0, 0, null);
    }

    /** A copy that returns at most {@code n} messages. */
    public PullRequestOptions withMaxMessages(int n) {
        return new PullRequestOptions(topic, queue, offset, n, maxBytes, nodeId);
    }

    /** A copy that returns at most about {@code n} body bytes. */
    public PullRequestOptions withMaxBytes(int n) {
        return new PullRequestOptions(topic, queue, offset, maxMessages, n, nodeId);
    }

    /** A copy that reads from node {@code id} ({@code null} = the leader). */
    public PullRequestOptions fromNode(String id) {
        return new PullRequestOptions(topic, queue, offset, maxMessages, maxBytes, id);
    }

    /** A copy that starts at {@code newOffset}. */
    public PullRequestOptions atOffset(long newOffset) {
        return new PullRequestOptions(topic, queue, newOffset, maxMessages, maxBytes, nodeId);
    }
}
