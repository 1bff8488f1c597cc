package io.dledger.client;

import java.util.List;

/**
 * Result of {@link Producer#sendBatch}: one {@link SendResult} per message, in request order. All messages of a
 * batch were stored by one Raft entry, atomically. Immutable, thread-safe.
 *
 * @param topic   topic the batch was sent to
 * @param results one result per message, in request order (an immutable list)
 */
public record BatchSendResult(String topic, List<SendResult> results) {

    /**
     * Keeps an immutable copy of {@code results}.
     *
     * @param topic   topic the batch was sent to
     * @param results one result per message, in request order
     */
    public BatchSendResult {
        results = List.copyOf(results);
    }
}
