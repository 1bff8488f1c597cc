package io.dledger.client;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Parks messages that failed every delivery attempt on the group's retry topic ({@code <group>-retry}, created
 * with one queue on first use unless it exists, with any number of queues; creating it needs an admin token, sending
 * to it a write token), with their origin in the properties
 * {@code origin.topic}, {@code origin.queue} and {@code origin.offset}, so they no longer block their queue. Sends are
 * idempotent (the producer's id and sequence). Thread-safe: worker threads park concurrently.
 */
final class RetryTopicParker implements AutoCloseable {
    private final String retryTopic;
    private final DefaultAdminClient admin;
    private final Producer producer;
    private final AtomicLong parked = new AtomicLong();
    private volatile boolean topicReady;

    RetryTopicParker(String retryTopic, DefaultAdminClient admin, Producer producer) {
        this.retryTopic = retryTopic;
        this.admin = admin;
        this.producer = producer;
    }

    /** Sends a copy of {@code m} to the retry topic; throws when that fails (the caller tries again later). */
    void park(ReceivedMessage m) {
        boolean mayNotCreate = false;
        if (!topicReady) {
            try {
                admin.createTopic(retryTopic, 1);
            } catch (DLedgerException e) {
                if (e.code() == ErrorCode.PERMISSION_DENIED) {
                    mayNotCreate = true; // a token that may not create topics: the topic may exist all the same
                } else if (e.code() != ErrorCode.TOPIC_EXISTS) {
                    throw e;
                }
                // else made with more queues by hand or another client: parked messages go to any of them
            }
            topicReady = true;
        }
        try {
            producer.send(retryTopic, new Message(m.key(), m.tags(), withOrigin(m), m.body(), null));
        } catch (DLedgerException e) {
            if (e.code() == ErrorCode.TOPIC_NOT_FOUND) {
                topicReady = false; // deleted, or never made: the next park tries to create it again
                if (mayNotCreate) {
                    throw new DLedgerException(e.code(), e.grpcCode(), "cannot park a message on " + retryTopic
                            + ": it does not exist and this client's token may not create it (create it with an "
                            + "admin token: bin/dledger topic create " + retryTopic + ")", null, true, false, e);
                }
            }
            throw e;
        }
        parked.incrementAndGet();
    }

    long parked() {
        return parked.get();
    }

    private static Map<String, String> withOrigin(ReceivedMessage m) {
        Map<String, String> p = new HashMap<>(m.properties());
        p.put("origin.topic", m.topic());
        p.put("origin.queue", Integer.toString(m.queue()));
        p.put("origin.offset", Long.toString(m.offset()));
        return p;
    }

    @Override
    public void close() {
        producer.close();
    }
}
