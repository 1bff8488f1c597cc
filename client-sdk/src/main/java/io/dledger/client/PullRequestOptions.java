package io.dledger.client;

import java.util.Objects;
import java.util.Set;

/**
 * Everything a {@link PullConsumer#pull(PullRequestOptions)} call can say. Immutable, thread-safe.
 *
 * @param topic       topic to read
 * @param queue       queue of the topic
 * @param offset      first offset to return
 * @param maxMessages at most this many messages ({@code 0} = server default)
 * @param maxBytes    at most about this many bytes of stored messages (bodies with their keys, tags, properties and
 *                    headers); at least one message is returned when one is available ({@code 0} = the node's
 *                    default); see {@link DLedgerClient.Builder#maxInboundMessageBytes} for the client's own cap
 * @param nodeId      id of the node to read from, or {@code null} to read from the current leader
 * @param maxWaitMs   long polling: when nothing is available, the server waits up to this long for a message
 *                    ({@code 0} = answer at once; at most {@link #MAX_WAIT_MS}, the longest a node waits)
 * @param readYourWrites on a follower, first confirm with the leader that everything committed before the pull is
 *                    applied there (Raft ReadIndex), so the pull sees every acknowledged write
 * @param topicIncarnation the topic's incarnation to read ({@link PullResult#topicIncarnation()} of an earlier pull;
 *                    {@code 0} = whatever topic has the name now): a pull of a topic deleted and created again since
 *                    fails with {@link ErrorCode#TOPIC_REPLACED} instead of reading the new topic at the old offsets
 * @param tags        only messages whose tags equal one of these (empty: every message); the node passes the others
 *                    over, so a result may hold no message and still move {@link PullResult#nextOffset()} on: a queue
 *                    is read to its end when the next offset reaches {@link PullResult#maxOffset()}
 */
public record PullRequestOptions(String topic, int queue, long offset, int maxMessages, int maxBytes,
        String nodeId, int maxWaitMs, boolean readYourWrites, long topicIncarnation, Set<String> tags) {

    /** The longest long-polling wait a node grants, in milliseconds. */
    public static final int MAX_WAIT_MS = 30_000;

    /** The most tags one pull filters on. */
    public static final int MAX_TAGS = 32;

    /** The most UTF-8 bytes of one tag (a message's tags are as long at most). */
    public static final int MAX_TAG_BYTES = 4096;

    /** {@code tags} copied, once checked: at most {@link #MAX_TAGS}, each of 1 to {@link #MAX_TAG_BYTES} bytes. */
    static Set<String> checkedTags(java.util.Collection<String> tags) {
        Set<String> copy = Set.copyOf(tags);
        if (copy.size() > MAX_TAGS || copy.stream().anyMatch(t -> t.isEmpty()
                || t.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_TAG_BYTES)) {
            throw new IllegalArgumentException("at most " + MAX_TAGS + " tags, each of 1 to " + MAX_TAG_BYTES
                    + " bytes: " + (copy.size() > MAX_TAGS ? copy.size() + " tags" : copy));
        }
        return copy;
    }

    /**
     * Options without a tag filter (the form before tag filters existed).
     *
     * @param topic            topic to read, not {@code null}
     * @param queue            queue of the topic
     * @param offset           first offset to return
     * @param maxMessages      at most this many messages, 0 or more ({@code 0} = server default)
     * @param maxBytes         at most about this many message bytes, 0 or more ({@code 0} = the node's default)
     * @param nodeId           id of the node to read from, or {@code null} for the current leader
     * @param maxWaitMs        long-polling wait in milliseconds, from 0 to {@link #MAX_WAIT_MS}
     * @param readYourWrites   whether a follower first confirms with the leader that it applied everything committed
     * @param topicIncarnation the topic's incarnation to read, 0 or more ({@code 0} = any)
     */
    public PullRequestOptions(String topic, int queue, long offset, int maxMessages, int maxBytes, String nodeId,
                              int maxWaitMs, boolean readYourWrites, long topicIncarnation) {
        this(topic, queue, offset, maxMessages, maxBytes, nodeId, maxWaitMs, readYourWrites, topicIncarnation,
                Set.of());
    }

    /**
     * Checks the arguments.
     *
     * @param topic          topic to read, not {@code null}
     * @param queue          queue of the topic
     * @param offset         first offset to return
     * @param maxMessages    at most this many messages, 0 or more ({@code 0} = server default)
     * @param maxBytes       at most about this many message bytes, 0 or more ({@code 0} = the node's default)
     * @param nodeId         id of the node to read from, or {@code null} for the current leader
     * @param maxWaitMs      long-polling wait in milliseconds, from 0 to {@link #MAX_WAIT_MS}
     * @param readYourWrites whether a follower first confirms with the leader that it applied everything committed
     * @param topicIncarnation the topic's incarnation to read, 0 or more ({@code 0} = any)
     * @param tags           only messages with one of these tags, at most {@link #MAX_TAGS}, each of 1 to
     *                       {@link #MAX_TAG_BYTES} bytes (empty: every message); copied
     * @throws IllegalArgumentException when a limit or the incarnation is negative, {@code maxWaitMs} exceeds
     *                                  {@link #MAX_WAIT_MS}, or a tag is empty or too long, or there are too many
     * @throws NullPointerException     when {@code topic} or {@code tags} is {@code null}
     */
    public PullRequestOptions {
        Objects.requireNonNull(topic, "topic");
        tags = checkedTags(tags);
        if (maxMessages < 0 || maxBytes < 0 || maxWaitMs < 0 || topicIncarnation < 0) {
            throw new IllegalArgumentException("maxMessages, maxBytes, maxWaitMs and topicIncarnation must be >= 0");
        }
        if (maxWaitMs > MAX_WAIT_MS) {
            throw new IllegalArgumentException("maxWaitMs is at most " + MAX_WAIT_MS + " (a node waits no longer), not "
                    + maxWaitMs);
        }
    }

    /**
     * Options for any incarnation of the topic (the form before incarnations existed).
     *
     * @param topic          topic to read, not {@code null}
     * @param queue          queue of the topic
     * @param offset         first offset to return
     * @param maxMessages    at most this many messages, 0 or more ({@code 0} = server default)
     * @param maxBytes       at most about this many message bytes, 0 or more ({@code 0} = the node's default)
     * @param nodeId         id of the node to read from, or {@code null} for the current leader
     * @param maxWaitMs      long-polling wait in milliseconds, from 0 to {@link #MAX_WAIT_MS}
     * @param readYourWrites whether a follower first confirms with the leader that it applied everything committed
     * @throws IllegalArgumentException when a limit is negative or {@code maxWaitMs} exceeds {@link #MAX_WAIT_MS}
     * @throws NullPointerException     when {@code topic} is {@code null}
     */
    public PullRequestOptions(String topic, int queue, long offset, int maxMessages, int maxBytes, String nodeId,
                              int maxWaitMs, boolean readYourWrites) {
        this(topic, queue, offset, maxMessages, maxBytes, nodeId, maxWaitMs, readYourWrites, 0);
    }

    /**
     * Options without long polling or read-your-writes.
     *
     * @param topic       topic to read, not {@code null}
     * @param queue       queue of the topic
     * @param offset      first offset to return
     * @param maxMessages at most this many messages, 0 or more ({@code 0} = server default)
     * @param maxBytes    at most about this many message bytes, 0 or more ({@code 0} = the node's default)
     * @param nodeId      id of the node to read from, or {@code null} for the current leader
     * @throws IllegalArgumentException when {@code maxMessages} or {@code maxBytes} is negative
     * @throws NullPointerException     when {@code topic} is {@code null}
     */
    public PullRequestOptions(String topic, int queue, long offset, int maxMessages, int maxBytes, String nodeId) {
        this(topic, queue, offset, maxMessages, maxBytes, nodeId, 0, false, 0);
    }

    /**
     * Reads from the leader with server-default limits.
     *
     * @param topic  topic to read, not {@code null}
     * @param queue  queue of the topic
     * @param offset first offset to return
     * @return options without limits, node, long polling or read-your-writes
     */
    public static PullRequestOptions of(String topic, int queue, long offset) {
        return new PullRequestOptions(topic, queue, offset, 0, 0, null);
    }

    /**
     * A copy that returns at most {@code n} messages.
     *
     * @param n 0 or more ({@code 0} = server default); a node returns at most its {@code pull.max.messages}
     * @return a new options object; this one is unchanged
     * @throws IllegalArgumentException when {@code n} is negative
     */
    public PullRequestOptions withMaxMessages(int n) {
        return new PullRequestOptions(topic, queue, offset, n, maxBytes, nodeId, maxWaitMs, readYourWrites,
                topicIncarnation, tags);
    }

    /**
     * A copy that returns at most about {@code n} body bytes.
     *
     * @param n 0 or more ({@code 0} = server default); a node returns at most about its {@code pull.max.bytes}
     * @return a new options object; this one is unchanged
     * @throws IllegalArgumentException when {@code n} is negative
     */
    public PullRequestOptions withMaxBytes(int n) {
        return new PullRequestOptions(topic, queue, offset, maxMessages, n, nodeId, maxWaitMs, readYourWrites,
                topicIncarnation, tags);
    }

    /**
     * A copy that reads from node {@code id} ({@code null} = the leader).
     *
     * @param id node id, or {@code null}; an id no known node has fails the pull with
     *           {@link ErrorCode#INVALID_ARGUMENT}
     * @return a new options object; this one is unchanged
     */
    public PullRequestOptions fromNode(String id) {
        return new PullRequestOptions(topic, queue, offset, maxMessages, maxBytes, id, maxWaitMs, readYourWrites,
                topicIncarnation, tags);
    }

    /**
     * A copy that starts at {@code newOffset}.
     *
     * @param newOffset first offset to return, typically the previous {@link PullResult#nextOffset()}
     * @return a new options object; this one is unchanged
     */
    public PullRequestOptions atOffset(long newOffset) {
        return new PullRequestOptions(topic, queue, newOffset, maxMessages, maxBytes, nodeId, maxWaitMs,
                readYourWrites, topicIncarnation, tags);
    }

    /**
     * A copy that waits up to {@code ms} on the server when no message is available.
     *
     * @param ms milliseconds, from 0 (answer at once) to {@link #MAX_WAIT_MS}; the client extends the call's
     *           deadline by this wait
     * @return a new options object; this one is unchanged
     * @throws IllegalArgumentException when {@code ms} is negative or above {@link #MAX_WAIT_MS}
     */
    public PullRequestOptions withMaxWait(int ms) {
        return new PullRequestOptions(topic, queue, offset, maxMessages, maxBytes, nodeId, ms, readYourWrites,
                topicIncarnation, tags);
    }

    /**
     * A copy that reads its own writes on a follower (Raft ReadIndex).
     *
     * @param on {@code true} to have a follower confirm with the leader before it reads (one more round trip; fails
     *           with {@link ErrorCode#NODE_UNAVAILABLE} when it cannot), {@code false} (default) to read what it has
     *           applied
     * @return a new options object; this one is unchanged
     */
    public PullRequestOptions withReadYourWrites(boolean on) {
        return new PullRequestOptions(topic, queue, offset, maxMessages, maxBytes, nodeId, maxWaitMs, on,
                topicIncarnation, tags);
    }

    /**
     * A copy that reads incarnation {@code incarnation} of the topic only.
     *
     * @param incarnation {@link PullResult#topicIncarnation()} of an earlier pull, or {@code 0} for whatever topic has
     *                    the name now
     * @return a new options object; this one is unchanged
     * @throws IllegalArgumentException when {@code incarnation} is negative
     */
    public PullRequestOptions ofIncarnation(long incarnation) {
        return new PullRequestOptions(topic, queue, offset, maxMessages, maxBytes, nodeId, maxWaitMs, readYourWrites,
                incarnation, tags);
    }

    /**
     * A copy that returns only messages whose tags equal one of {@code only} (RocketMQ's {@code "TagA || TagB"}).
     *
     * @param only the tags, at most {@link #MAX_TAGS}, each of 1 to {@link #MAX_TAG_BYTES} bytes; none: every
     *             message
     * @return a new options object; this one is unchanged
     * @throws IllegalArgumentException for an empty tag or too many
     */
    public PullRequestOptions withTags(String... only) {
        return new PullRequestOptions(topic, queue, offset, maxMessages, maxBytes, nodeId, maxWaitMs, readYourWrites,
                topicIncarnation, Set.copyOf(java.util.Arrays.asList(only)));
    }
}
