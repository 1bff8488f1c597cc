package io.dledger.broker.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AckLedgerTest {
    @Test
    void everyAcknowledgedMessageInPlaceIsOk() {
        AckLedger l = AckLedger.byBody();
        l.acked("a", 0, 0);
        l.acked("b", 1, 0);
        LossReport r = l.compare(Map.of("a", new AckLedger.Position(0, 0), "b", new AckLedger.Position(1, 0),
                "unacknowledged-but-stored", new AckLedger.Position(1, 1)), List.of(), 3);
        assertThat(r.ok()).isTrue();
        assertThat(r.summary()).startsWith("2 acknowledged, 3 stored, 0 lost, 0 duplicated, 0 misplaced");
    }

    @Test
    void reportsLostDuplicatedAndMisplacedMessages() {
        AckLedger l = AckLedger.byBody();
        l.acked("lost", 0, 0);
        l.acked("moved", 0, 1);
        l.acked("twice", 1, 0);
        LossReport r = l.compare(Map.of("moved", new AckLedger.Position(0, 5), "twice", new AckLedger.Position(1, 0)),
                List.of("twice"), 3);
        assertThat(r.ok()).isFalse();
        assertThat(r.lost()).containsExactly("lost");
        assertThat(r.duplicates()).containsExactly("twice");
        assertThat(r.misplaced()).singleElement().asString().contains("moved");
        assertThat(r.summary()).contains("1 lost, 1 duplicated, 1 misplaced").contains("[lost lost]");
    }
}
