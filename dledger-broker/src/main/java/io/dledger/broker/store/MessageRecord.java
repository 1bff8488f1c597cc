package io.dledger.broker.store;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A message as stored: its place in the queue, the Raft entry that wrote it and its content.
 * {@code body} is a read-only view of the bytes read from disk (no further copy).
 */
public record MessageRecord(
        String topic,
        int queue,
        long offset,
        long raftIndex,
        long storeTimestamp,
        long producerId,
        long producerSequence,
        String key,
        String tags,
        Map<String, String> properties,
        ByteBuffer body) {

    public int bodySize() {
        return body.remaining();
    }
}
