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
        assertThatThrownBy(() -> PushConsumerOptions.builder("g", "t").startFromTime(java.time.Instant.MAX).build())
                .as("a time not in epoch milliseconds").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("startFromTime");
        assertThatThrownBy(() -> PushConsumerOptions.builder("g", "t").startFromTime(java.time.Instant.EPOCH
                .minusMillis(1)).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PushConsumerOptions.builder("g", "t").tags("").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tags");
        assertThatThrownBy(() -> PushConsumerOptions.builder("g", "t").tags("\u4e2d".repeat(1366)).build())
                .as("4,098 UTF-8 bytes").isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4096");
        assertThatThrownBy(() -> PullRequestOptions.of("t", 0, 0).withTags(java.util.stream.IntStream.range(0, 33)
                .mapToObj(i -> "t" + i).toArray(String[]::new))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("33 tags");
    }

    /** The form before start times and tags existed still builds, with neither. */
    @Test
    void theEarlierConstructorStillWorks() {
        PushConsumerOptions o = new PushConsumerOptions("g", "t", 1, 0, Duration.ZERO, false, true, 10,
                Duration.ofSeconds(1), "m");
        assertThat(o.startFromTime()).isNull();
        assertThat(o.tags()).isEmpty();
    }

    @Test
    void aTagNamedTwiceCountsOnce() {
        assertThat(PushConsumerOptions.builder("g", "t").tags("a", "b", "a").build().tags())
                .containsExactlyInAnyOrder("a", "b");
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
