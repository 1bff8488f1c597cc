package io.dledger.broker.store;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A message as stored: its place in the queue, the Raft entry that wrote it and its content.
 * {@code body} is a view of the buffer the store read the record into (no further copy), or a copy of its own
 * when the record was read from a segment's memory mapping; callers must not change it.
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
