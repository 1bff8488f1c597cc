package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PushConsumerOptionsTest {

    @Test
    void settingsOutOfRangeAreRefusedWhenBuilt() {
        assertThatThrownBy(() -> PushConsumerOptions.builder("g", "t").retryBackoff(null).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("retryBackoff");
        assertThatThrownBy(() -> PushConsumerOptions.builder("g", "t").retryBackoff(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retryBackoff");
        assertThatThrownBy(() -> PushConsumerOptions.builder("g", "t").commitInterval(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 50 ms");
        assertThatThrownBy(() -> PushConsumerOptions.builder("g", "t").commitInterval(null).build())
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> PushConsumerOptions.builder("g", "t").memberId("x".repeat(256)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("255");
        assertThatThrownBy(() -> PushConsumerOptions.builder("g!", "t").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid group name");
    }

    @Test
    void defaultsAreValid() {
        PushConsumerOptions o = PushConsumerOptions.builder("g", "t").retryBackoff(Duration.ZERO).build();
        assertThat(o.threads()).isEqualTo(4);
        assertThat(o.commitInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.memberId()).isNotEmpty();
        assertThat(o.retryTopic()).isEqualTo("g-retry");
    }
}
