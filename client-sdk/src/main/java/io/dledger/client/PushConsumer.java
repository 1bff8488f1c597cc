package io.dledger.client;

import java.util.Map;
import java.util.Set;

/**
 * A member of a consumer group that delivers messages to a {@link MessageListener}: it heartbeats the
 * leader, consumes the queues the group assigns it, pulls from whichever node the responses suggest,
 * and commits offsets (through Raft) after messages are processed. Delivery is at least once: after a
 * crash or a rebalance, messages processed but not yet committed are delivered again. When the topic is deleted and
 * created again under a running member, its queues start over in the new topic at the next heartbeat, from the
 * group's offsets there (or the start policy), and the old topic's offsets are never committed to the new one.
 *
 * <p>Thread-safe.
 */
public interface PushConsumer extends AutoCloseable {

    /**
     * Joins the group and starts consuming. A topic that does not exist (yet) is logged at WARN and asked for again
     * at every heartbeat.
     *
     * @throws IllegalStateException when already started
     * @throws DLedgerException      with {@link ErrorCode#CLIENT_CLOSED} when closed
     */
    void start();

    /**
     * Queues this member consumes right now.
     *
     * @return an immutable snapshot of the queue numbers; empty before {@link #start()} and while none is assigned
     */
    Set<Integer> assignedQueues();

    /**
     * Messages the listener accepted.
     *
     * @return how many times the listener returned normally since this consumer was created (parked messages do not
     *         count)
     */
    long processed();

    /**
     * Messages parked on the retry topic after failing every attempt.
     *
     * @return how many messages this consumer sent to {@code <group>-retry}
     */
    long parked();

    /**
     * Messages received per serving node id (to see follower reads at work).
     *
     * @return a snapshot, sorted by node id: messages pulled from each node, counted as they arrive (before
     *         delivery)
     */
    Map<String, Long> servedBy();

    /**
     * Stops consuming, commits processed offsets and leaves the group (its queues move at once). Waits for listener
     * calls in progress (up to 10 s) and for a heartbeat on its way (up to its deadline, 5 s), so that nothing of
     * this member reaches the group after it left. Called from the listener, it does not wait for that call: its
     * message is not committed and comes again (to the queue's next owner). Closing the client closes its consumers.
     */
    @Override
    void close();
}
