package io.dledger.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.check.AckLedger;
import io.dledger.broker.check.LossReport;
import io.dledger.client.DLedgerClient;
import io.dledger.client.SendResult;

/**
 * The tests' view of an {@link AckLedger}: messages are identified by their (unique) bodies, and the
 * check ends in an assertion. Thread-safe.
 */
final class AckedMessages {
    private final AckLedger ledger = AckLedger.byBody();
    private final java.util.Set<String> bodies = java.util.concurrent.ConcurrentHashMap.newKeySet();

    void add(String body, SendResult r) {
        ledger.acked(body, r.queue(), r.offset());
        bodies.add(body);
    }

    java.util.Set<String> bodies() {
        return java.util.Set.copyOf(bodies);
    }

    int size() {
        return ledger.size();
    }

    /** Reads the whole topic and checks every acknowledged message is there, exactly once. */
    void assertAllPresentExactlyOnce(DLedgerClient client, String topic) {
        LossReport report = ledger.verify(client, topic);
        assertThat(report.ok()).as(report.summary()).isTrue();
    }
}
