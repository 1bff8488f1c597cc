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
 * @param maxWaitMs   long polling: when nothing is available, the server waits up to this long for a message
 *                    ({@code 0} = answer at once; at most {@link #MAX_WAIT_MS}, the longest a node waits)
 * @param readYourWrites on a follower, first confirm with the leader that everything committed before the pull is
 *                    applied there (Raft ReadIndex), so the pull sees every acknowledged write
 */
public record PullRequestOptions(String topic, int queue, long offset, int maxMessages, int maxBytes,
        String nodeId, int maxWaitMs, boolean readYourWrites) {

    /** The longest long-polling wait a node grants, in milliseconds. */
    public static final int MAX_WAIT_MS = 30_000;

    /** Checks the arguments. */
    public PullRequestOptions {
        Objects.requireNonNull(topic, "topic");
        if (maxMessages < 0 || maxBytes < 0 || maxWaitMs < 0) {
            throw new IllegalArgumentException("maxMessages, maxBytes and maxWaitMs must be >= 0");
        }
        if (maxWaitMs > MAX_WAIT_MS) {
            throw new IllegalArgumentException("maxWaitMs is at most " + MAX_WAIT_MS + " (a node waits no longer), not "
                    + maxWaitMs);
        }
    }

    /** Options without long polling or read-your-writes. */
    public PullRequestOptions(String topic, int queue, long offset, int maxMessages, int maxBytes, String nodeId) {
        this(topic, queue, offset, maxMessages, maxBytes, nodeId, 0, false);
    }

    /** Reads from the leader with server-default limits. */
    public static PullRequestOptions of(String topic, int queue, long offset) {
        return new PullRequestOptions(topic, queue, offset, 0, 0, null);
    }

    /** A copy that returns at most {@code n} messages. */
    public PullRequestOptions withMaxMessages(int n) {
        return new PullRequestOptions(topic, queue, offset, n, maxBytes, nodeId, maxWaitMs, readYourWrites);
    }

    /** A copy that returns at most about {@code n} body bytes. */
    public PullRequestOptions withMaxBytes(int n) {
        return new PullRequestOptions(topic, queue, offset, maxMessages, n, nodeId, maxWaitMs, readYourWrites);
    }

    /** A copy that reads from node {@code id} ({@code null} = the leader). */
    public PullRequestOptions fromNode(String id) {
        return new PullRequestOptions(topic, queue, offset, maxMessages, maxBytes, id, maxWaitMs, readYourWrites);
    }

    /** A copy that starts at {@code newOffset}. */
    public PullRequestOptions atOffset(long newOffset) {
        return new PullRequestOptions(topic, queue, newOffset, maxMessages, maxBytes, nodeId, maxWaitMs,
                readYourWrites);
    }

    /** A copy that waits up to {@code ms} on the server when no message is available. */
    public PullRequestOptions withMaxWait(int ms) {
        return new PullRequestOptions(topic, queue, offset, maxMessages, maxBytes, nodeId, ms, readYourWrites);
    }

    /** A copy that reads its own writes on a follower (Raft ReadIndex). */
    public PullRequestOptions withReadYourWrites(boolean on) {
        return new PullRequestOptions(topic, queue, offset, maxMessages, maxBytes, nodeId, maxWaitMs, on);
    }
}
