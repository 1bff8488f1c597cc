package io.dledger.client;

/**
 * Processes one message of a {@link PushConsumer}. Returning normally acknowledges it (its offset may be
 * committed); throwing makes the consumer retry it, and after the configured retries park it on the
 * group's retry topic. Called from the consumer's worker threads; messages of one queue are delivered
 * one at a time, in offset order.
 */
@FunctionalInterface
public interface MessageListener {
    /**
     * Processes {@code message}.
     *
     * @param message the message, with its topic, queue and offset
     * @throws Exception to have the message delivered again (after {@code retryBackoff}), and parked on
     *                   {@code <group>-retry} once {@code maxRetries} further attempts failed
     */
    void onMessage(ReceivedMessage message) throws Exception;
}
