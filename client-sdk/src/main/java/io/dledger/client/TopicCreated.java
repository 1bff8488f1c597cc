package io.dledger.client;

/**
 * Answer to {@link AdminClient#createTopic}. Immutable, thread-safe.
 *
 * @param topic   the topic
 * @param queues  its number of queues
 * @param created {@code false} when the topic already existed with the same number of queues
 */
public record TopicCreated(String topic, int queues, boolean created) {
}
