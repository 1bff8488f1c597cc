package io.dledger.client;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A stored message as returned by a pull. Immutable apart from {@code body}, which is returned by reference.
 * Thread-safe as a value.
 *
 * @param topic          topic
 * @param queue          queue
 * @param offset         position in the queue (identical on every replica)
 * @param storeTimestamp milliseconds since the epoch, assigned by the leader that accepted the write
 * @param key            routing key, or {@code null} when the message had none
 * @param tags           tags, or {@code null} when the message had none
 * @param properties     user properties (immutable, never {@code null})
 * @param body           payload (never {@code null})
 * @param raftIndex      Raft log index of the entry that stored this message
 */
public record ReceivedMessage(String topic, int queue, long offset, long storeTimestamp, String key, String tags,
        Map<String, String> properties, byte[] body, long raftIndex) {

    /**
     * Normalises {@code null} properties and body.
     *
     * @param topic          topic
     * @param queue          queue
     * @param offset         position in the queue
     * @param storeTimestamp milliseconds since the epoch, assigned by the leader that accepted the write
     * @param key            routing key, or {@code null}
     * @param tags           tags, or {@code null}
     * @param properties     user properties; {@code null} becomes an empty map, others are copied
     * @param body           payload, kept by reference; {@code null} becomes an empty array
     * @param raftIndex      Raft log index of the entry that stored this message
     */
    public ReceivedMessage {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        body = body == null ? new byte[0] : body;
    }

    /**
     * The body decoded as UTF-8.
     *
     * @return a new string of the body (malformed input is replaced, not rejected)
     */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
