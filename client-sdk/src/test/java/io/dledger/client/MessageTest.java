package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MessageTest {

    @Test
    void witherMethodsCopy() {
        Message base = Message.of("héllo");
        Message m = base.withKey("k").withTags("t").withProperty("a", "1").withProperty("b", "2").withQueue(3);

        assertThat(base.key()).isNull();
        assertThat(base.properties()).isEmpty();
        assertThat(m.key()).isEqualTo("k");
        assertThat(m.tags()).isEqualTo("t");
        assertThat(m.properties()).isEqualTo(Map.of("a", "1", "b", "2"));
        assertThat(m.queue()).isEqualTo(3);
        assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("héllo");
        assertThatThrownBy(() -> m.properties().put("c", "3")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void nullsAreNormalised() {
        Message m = new Message(null, null, null, null, null);
        assertThat(m.properties()).isEmpty();
        assertThat(m.body()).isEmpty();
        assertThat(ProtoMapper.toProto(m).hasQueue()).isFalse();
    }

    @Test
    void builderValidatesItsArguments() {
        assertThatThrownBy(() -> DLedgerClient.builder().build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DLedgerClient.builder().seeds(" , ").build())
                .isInstanceOf(IllegalArgumentException.class);
        for (String bad : new String[] {"garbage", "host:", ":9101", "host:91o1", "::1:9101"}) {
            assertThatThrownBy(() -> DLedgerClient.builder().seeds(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "' is not host:port");
        }
        for (String bad : new String[] {"host:0", "host:65536", "127.0.0.1:99999999999"}) {
            assertThatThrownBy(() -> DLedgerClient.builder().seeds(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("seed address '" + bad + "': port ").hasMessageEndingWith(" is out of "
                            + "range (1-65535)");
        }
        assertThat(DLedgerClient.builder().seeds("[::1]:9101, n1.example:7000,127.0.0.1:1")).isNotNull();
        assertThatThrownBy(() -> DLedgerClient.builder().requestTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DLedgerClient.builder().maxInFlightPerProducer(2_000))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
