package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.store.MessageRecord;
import io.dledger.proto.StoredMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How a stored message becomes a pull response's {@link StoredMessage}. */
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
}
