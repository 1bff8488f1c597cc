package io.dledger.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.client.DLedgerClient;
import io.dledger.client.PullConsumer;
import io.dledger.client.PullResult;
import io.dledger.client.ReceivedMessage;
import io.dledger.client.SendResult;
import io.dledger.client.TopicDescription;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every message a test got an acknowledgement for, and the check that ends most cluster tests: each
 * acknowledged message is stored at the queue and offset it was acknowledged with, and no message
 * body appears twice in the topic. Bodies must be unique per test. Thread-safe.
 */
final class AckedMessages {
    private record Position(int queue, long offset) {
    }

    private final Map<String, Position> acked = new ConcurrentHashMap<>();

    void add(String body, SendResult r) {
        Position previous = acked.put(body, new Position(r.queue(), r.offset()));
        assertThat(previous).as("acknowledged twice with different positions: %s", body)
                .isIn(null, new Position(r.queue(), r.offset()));
    }

    int size() {
        return acked.size();
    }

    /** Reads the whole topic and checks every acknowledged message is there, exactly once. */
    void assertAllPresentExactlyOnce(DLedgerClient client, String topic) {
        TopicDescription d = client.admin().describeTopic(topic);
        Map<String, Position> stored = new HashMap<>();
        Set<String> duplicates = new HashSet<>();
        try (PullConsumer consumer = client.newPullConsumer()) {
            for (int q = 0; q < d.queues(); q++) {
                long offset = d.queueRanges().get(q).minOffset();
                while (true) {
                    PullResult r = consumer.pull(topic, q, offset, 500);
                    if (r.messages().isEmpty()) {
                        break;
                    }
                    for (ReceivedMessage m : r.messages()) {
                        if (stored.put(m.bodyAsString(), new Position(m.queue(), m.offset())) != null) {
                            duplicates.add(m.bodyAsString());
                        }
                    }
                    offset = r.nextOffset();
                }
            }
        } catch (Exception e) {
            throw new AssertionError("reading " + topic + " failed", e);
        }
        assertThat(duplicates).as("messages stored twice").isEmpty();
        Map<String, Position> missing = new HashMap<>();
        acked.forEach((body, pos) -> {
            if (!pos.equals(stored.get(body))) {
                missing.put(body, pos);
            }
        });
        assertThat(missing).as("acknowledged messages missing or moved (of %d acknowledged)", acked.size())
                .isEmpty();
    }
}
