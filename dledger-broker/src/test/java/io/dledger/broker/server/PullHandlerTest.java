package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.server.PullHandler.Rejected;
import io.dledger.broker.store.MessageRecord;
import io.dledger.broker.store.ReadRejectedException;
import io.dledger.broker.store.ReadRejectedException.Reason;
import io.dledger.proto.StoredMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a stored message becomes a pull response's {@link StoredMessage}, and what a node does with a pull its store
 * refused ({@link PullHandler#decide}).
 */
@Timeout(10)
class PullHandlerTest {

    private static MessageRecord record(Map<String, String> properties) {
        return new MessageRecord("orders", 2, 41, 900, 1_700_000_000_000L, 0, 0, "k", "TagA", properties,
                ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void everyFieldIsCarriedOver() {
        StoredMessage m = PullHandler.toProto(record(Map.of("i", "7", "source", "web")));
        assertThat(m.getTopic()).isEqualTo("orders");
        assertThat(m.getQueue()).isEqualTo(2);
        assertThat(m.getOffset()).isEqualTo(41);
        assertThat(m.getRaftIndex()).isEqualTo(900);
        assertThat(m.getStoreTimestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(m.getKey()).isEqualTo("k");
        assertThat(m.getTags()).isEqualTo("TagA");
        assertThat(m.getPropertiesMap()).containsExactlyInAnyOrderEntriesOf(Map.of("i", "7", "source", "web"));
        assertThat(m.getBody().toStringUtf8()).isEqualTo("hello");
    }

    @Test
    void aMessageWithoutPropertiesHasAnEmptyMap() {
        assertThat(PullHandler.toProto(record(Map.of())).getPropertiesMap()).isEmpty();
    }

    private static final PeerSpec N1 = new PeerSpec("n1", "h1", 1, 2);
    /** The queue holds offsets [10, 20). */
    private static final ReadRejectedException OUT_OF_RANGE = new ReadRejectedException(Reason.OFFSET_OUT_OF_RANGE,
            "out", 10, 20);
    private static final ReadRejectedException NO_TOPIC = new ReadRejectedException(Reason.TOPIC_NOT_FOUND, "no", 0, 0);
    private static final ReadRejectedException NO_QUEUE = new ReadRejectedException(Reason.QUEUE_NOT_FOUND, "no", 0, 0);

    @Test
    void aFollowerPulledPastItsEndWaitsWhileItMayThenSendsTheConsumerToTheLeader() {
        assertThat(PullHandler.decide(OUT_OF_RANGE, 25, false, "n2", N1, true)).isEqualTo(Rejected.WAIT);
        assertThat(PullHandler.decide(OUT_OF_RANGE, 25, false, "n2", N1, false)).as("no wait left, or lagging")
                .isEqualTo(Rejected.TO_LEADER);
        for (ReadRejectedException unknown : java.util.List.of(NO_TOPIC, NO_QUEUE)) {
            assertThat(PullHandler.decide(unknown, 0, false, "n2", N1, true)).as("nothing to wait on")
                    .isEqualTo(Rejected.TO_LEADER);
        }
    }

    @Test
    void withoutAReadyLeaderToNameAFollowerRefusesAsRetryable() {
        assertThat(PullHandler.decide(OUT_OF_RANGE, 25, false, "n2", null, false)).isEqualTo(Rejected.UNAVAILABLE);
        assertThat(PullHandler.decide(NO_TOPIC, 0, false, "n1", N1, true)).as("elected, state machine not caught up")
                .isEqualTo(Rejected.UNAVAILABLE);
        assertThat(PullHandler.decide(OUT_OF_RANGE, 25, false, "n2", null, true)).as("it may still wait")
                .isEqualTo(Rejected.WAIT);
    }

    @Test
    void theLeaderAndAnOffsetBelowTheFirstOneKeptAreRefused() {
        for (ReadRejectedException e : java.util.List.of(OUT_OF_RANGE, NO_TOPIC, NO_QUEUE)) {
            assertThat(PullHandler.decide(e, 25, true, "n1", N1, true)).isEqualTo(Rejected.REFUSE);
        }
        assertThat(PullHandler.decide(OUT_OF_RANGE, 5, false, "n2", N1, true)).as("retention is no lag")
                .isEqualTo(Rejected.REFUSE);
        ReadRejectedException replaced = new ReadRejectedException(Reason.TOPIC_REPLACED, "replaced", 0, 0);
        assertThat(PullHandler.decide(replaced, 25, false, "n2", N1, true))
                .as("a follower that applied the new topic knows the old one is gone").isEqualTo(Rejected.REFUSE);
    }
}
