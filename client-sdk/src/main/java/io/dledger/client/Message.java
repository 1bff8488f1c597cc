package io.dledger.client;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A message to send with a {@link Producer}. Immutable apart from {@code body}, which is kept by reference (not
 * copied): do not modify the array after handing the message to a producer.
 *
 * <p>Thread-safe as a value once built.
 *
 * @param key        routing key, or {@code null}; messages with the same key go to the same queue when no queue is
 *                   given
 * @param tags       free-form tags (RocketMQ style, e.g. {@code "TagA"}), or {@code null}
 * @param properties user properties; never {@code null} (a {@code null} argument becomes an empty map); an
 *                   immutable copy is kept
 * @param body       payload; never {@code null} (a {@code null} argument becomes an empty array)
 * @param queue      target queue, or {@code null} to let the broker pick one (by key hash when a key is set,
 *                   round-robin otherwise)
 */
public record Message(String key, String tags, Map<String, String> properties, byte[] body, Integer queue) {

    /**
     * Normalises {@code null} properties and body, and keeps an immutable copy of the properties.
     *
     * @param key        routing key, or {@code null}
     * @param tags       free-form tags, or {@code null}
     * @param properties user properties, or {@code null} for none
     * @param body       payload, kept by reference; {@code null} becomes an empty array
     * @param queue      target queue, or {@code null} to let the broker pick one
     */
    public Message {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        body = body == null ? new byte[0] : body;
    }

    /**
     * A message with this body and nothing else set.
     *
     * @param body payload, kept by reference (not copied); {@code null} becomes an empty array, and an empty body
     *             fails at send with {@link ErrorCode#EMPTY_MESSAGE}
     * @return a message without key, tags, properties or queue
     */
    public static Message of(byte[] body) {
        return new Message(null, null, Map.of(), body, null);
    }

    /**
     * A message whose body is {@code body} encoded as UTF-8.
     *
     * @param body payload text, not {@code null}
     * @return a message without key, tags, properties or queue
     * @throws NullPointerException when {@code body} is {@code null}
     */
    public static Message of(String body) {
        return of(Objects.requireNonNull(body, "body").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A copy with the given routing key.
     *
     * @param k routing key, or {@code null} for none; the broker accepts at most 4,096 UTF-8 bytes
     * @return a new message; this one is unchanged
     */
    public Message withKey(String k) {
        return new Message(k, tags, properties, body, queue);
    }

    /**
     * A copy with the given tags.
     *
     * @param t tags, or {@code null} for none; the broker accepts at most 4,096 UTF-8 bytes
     * @return a new message; this one is unchanged
     */
    public Message withTags(String t) {
        return new Message(key, t, properties, body, queue);
    }

    /**
     * A copy with one more (or one replaced) property.
     *
     * @param k property name, not {@code null}; the broker accepts 1 to 1,024 UTF-8 bytes
     * @param v property value, not {@code null}; names and values of all properties together are limited to 64 KiB
     * @return a new message; this one is unchanged
     * @throws NullPointerException when {@code k} or {@code v} is {@code null}
     */
    public Message withProperty(String k, String v) {
        Map<String, String> copy = new HashMap<>(properties);
        copy.put(Objects.requireNonNull(k, "property key"), Objects.requireNonNull(v, "property value"));
        return new Message(key, tags, copy, body, queue);
    }

    /**
     * A copy that targets queue {@code q} explicitly.
     *
     * @param q queue number, from 0 to the topic's queue count - 1 (else the send fails with
     *          {@link ErrorCode#QUEUE_NOT_FOUND})
     * @return a new message; this one is unchanged
     */
    public Message withQueue(int q) {
        return new Message(key, tags, properties, body, q);
    }
}
