package io.dledger.broker.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.check.AckLedger.Position;
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
        LossReport r = l.compare(Map.of("a", List.of(new Position(0, 0)), "b", List.of(new Position(1, 0)),
                "unacknowledged-but-stored", List.of(new Position(1, 1))), 3);
        assertThat(r.ok()).isTrue();
        assertThat(r.summary()).startsWith("2 acknowledged, 3 stored, 0 lost, 0 duplicated, 0 misplaced");
    }

    @Test
    void reportsLostDuplicatedAndMisplacedMessages() {
        AckLedger l = AckLedger.byBody();
        l.acked("lost", 0, 0);
        l.acked("moved", 0, 1);
        l.acked("twice", 1, 0);
        LossReport r = l.compare(Map.of("moved", List.of(new Position(0, 5)),
                "twice", List.of(new Position(1, 0), new Position(1, 7))), 4);
        assertThat(r.ok()).isFalse();
        assertThat(r.lost()).containsExactly("lost");
        assertThat(r.duplicates()).containsExactly("twice");
        assertThat(r.misplaced()).singleElement().asString().contains("moved");
        assertThat(r.summary()).contains("1 lost, 1 duplicated, 1 misplaced").contains("[lost lost]");
    }

    /**
     * A retry stored a second time, before or after its acknowledged copy, is a duplicate and nothing else: the
     * acknowledged copy is where it was acknowledged, so it is neither lost nor misplaced.
     */
    @Test
    void aSecondCopyOfAnAcknowledgedMessageIsADuplicateNotAMisplacedOne() {
        AckLedger l = AckLedger.byBody();
        l.acked("retried", 0, 3);
        LossReport later = l.compare(Map.of("retried", List.of(new Position(0, 3), new Position(0, 4))), 2);
        LossReport earlier = l.compare(Map.of("retried", List.of(new Position(0, 2), new Position(0, 3))), 2);
        for (LossReport r : List.of(later, earlier)) {
            assertThat(r.duplicates()).containsExactly("retried");
            assertThat(r.lost()).isEmpty();
            assertThat(r.misplaced()).isEmpty();
        }
    }
}
