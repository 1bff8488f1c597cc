package io.dledger.client;

/**
 * Where one message was stored. Immutable, thread-safe.
 *
 * @param topic          topic the message was sent to
 * @param queue          queue that holds it
 * @param offset         its position in that queue (identical on every replica)
 * @param raftIndex      Raft log index of the entry that stored it (all messages of one batch share it)
 * @param storeTimestamp milliseconds since the epoch, assigned by the leader that accepted the write
 * @param duplicate      {@code true} when the broker had already applied this producer id and sequence (a retry
 *                       of a write that had in fact succeeded): nothing new was stored and the original
 *                       assignment is returned
 */
public record SendResult(String topic, int queue, long offset, long raftIndex, long storeTimestamp,
        boolean duplicate) {
}
