package io.dledger.client;

import java.util.List;

/**
 * What one pull returned. Immutable, thread-safe.
 *
 * @param messages         committed messages in offset order (possibly empty; an immutable list)
 * @param nextOffset       offset to pull from next
 * @param minOffset        smallest offset still stored in the queue
 * @param maxOffset        offset one past the newest message of the queue on the serving node
 * @param servedBy         id of the node that served this pull
 * @param suggestedNodeId  node the server suggests to pull from next: {@code servedBy} itself to stay there;
 *                         {@code null} only from a server that sent no suggestion
 * @param suggestionReason why it suggests that node (e.g. {@code stay}, {@code leader-busy}), or {@code null} when
 *                         there is no suggestion
 * @param topicIncarnation the incarnation of the topic read: the Raft index of the entry that created it, so a topic
 *                         deleted and created again under the same name has another ({@code 0}: unknown, a topic
 *                         created before the nodes recorded it); pass it on with
 *                         {@link PullRequestOptions#ofIncarnation} to notice a replaced topic
 */
public record PullResult(List<ReceivedMessage> messages, long nextOffset, long minOffset, long maxOffset,
        String servedBy, String suggestedNodeId, String suggestionReason, long topicIncarnation) {

    /**
     * Keeps an immutable copy of {@code messages}.
     *
     * @param messages         committed messages in offset order (possibly empty)
     * @param nextOffset       offset to pull from next
     * @param minOffset        smallest offset still stored in the queue
     * @param maxOffset        offset one past the newest message of the queue on the serving node
     * @param servedBy         id of the node that served this pull
     * @param suggestedNodeId  node the server suggests to pull from next ({@code servedBy} to stay), or {@code null}
     * @param suggestionReason why it suggests that node, or {@code null} without a suggestion
     * @param topicIncarnation the incarnation of the topic read ({@code 0}: unknown)
     */
    public PullResult {
        messages = List.copyOf(messages);
    }

    /**
     * A result without a known topic incarnation (the form before incarnations existed).
     *
     * @param messages         committed messages in offset order (possibly empty)
     * @param nextOffset       offset to pull from next
     * @param minOffset        smallest offset still stored in the queue
     * @param maxOffset        offset one past the newest message of the queue on the serving node
     * @param servedBy         id of the node that served this pull
     * @param suggestedNodeId  node the server suggests to pull from next ({@code servedBy} to stay), or {@code null}
     * @param suggestionReason why it suggests that node, or {@code null} without a suggestion
     */
    public PullResult(List<ReceivedMessage> messages, long nextOffset, long minOffset, long maxOffset,
                      String servedBy, String suggestedNodeId, String suggestionReason) {
        this(messages, nextOffset, minOffset, maxOffset, servedBy, suggestedNodeId, suggestionReason, 0);
    }

    /** The {@link #suggestionReason()} of a follower that lacks what was asked: see {@link #followerBehind()}. */
    public static final String FOLLOWER_BEHIND = "follower-behind";

    /**
     * Whether a follower answered that it lacks the offset (past the end of its queue) or the topic, and suggests
     * the leader, whose answer decides: no messages, and {@link #nextOffset()} is the offset asked for. It may only
     * lag behind; pull again from {@link #suggestedNodeId()}. A pull meant for the leader is sent there once by
     * itself, so such an answer reaches its caller only when that node lacked it too (or for a pull from a named
     * node).
     *
     * @return {@code true} for such an answer
     */
    public boolean followerBehind() {
        return FOLLOWER_BEHIND.equals(suggestionReason);
    }
}
