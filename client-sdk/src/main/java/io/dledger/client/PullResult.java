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
 */
public record PullResult(List<ReceivedMessage> messages, long nextOffset, long minOffset, long maxOffset,
        String servedBy, String suggestedNodeId, String suggestionReason) {

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
     */
    public PullResult {
        messages = List.copyOf(messages);
    }
}
