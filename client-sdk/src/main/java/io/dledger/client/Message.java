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

    /** Normalises {@code null} properties and body, and keeps an immutable copy of the properties. */
    public Message {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        body = body == null ? new byte[0] : body;
    }

    /** A message with this body and nothing else set. */
    public static Message of(byte[] body) {
        return new Message(null, null, Map.of(), body, null);
    }

    /** A message whose body is {@code body} encoded as UTF-8. */
    public static Message of(String body) {
        return of(Objects.requireNonNull(body, "body").getBytes(StandardCharsets.UTF_8));
    }

    /** A copy with the given routing key. */
    public Message withKey(String k) {
        return new Message(k, tags, properties, body, queue);
    }

    /** A copy with the given tags. */
    public Message withTags(String t) {
        return new Message(key, t, properties, body, queue);
    }

    /** A copy with one more (or one replaced) property. */
    public Message withProperty(String k, String v) {
        Map<String, String> copy = new HashMap<>(properties);
        copy.put(Objects.requireNonNull(k, "property key"), Objects.requireNonNull(v, "property value"));
        return new Message(key, tags, copy, body, queue);
    }

    /** A copy that targets queue {@code q} explicitly. */
    public Message withQueue(int q) {
        return new Message(key, tags, properties, body, q);
    }
}
