package io.dledger.broker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TimeArgumentTest {
    @Test
    void timesAreInstantsDateTimesWithOrWithoutAnOffsetOrEpochMilliseconds() {
        assertThat(TimeArgument.parse("--to-time", "2026-11-27T10:00:00Z")).isEqualTo(1_795_773_600_000L);
        assertThat(TimeArgument.parse("--to-time", "2026-11-27T11:00:00+01:00")).isEqualTo(1_795_773_600_000L);
        assertThat(TimeArgument.parse("--to-time", "2026-11-27T10:00:00")).isEqualTo(java.time.LocalDateTime
                .parse("2026-11-27T10:00:00").atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli());
        assertThat(TimeArgument.parse("--to-time", "1795773600000")).isEqualTo(1_795_773_600_000L);
        assertThat(TimeArgument.parse("--to-time", "2026-11-27 10:00:00")).isEqualTo(TimeArgument.parse("--to-time", 
                "2026-11-27T10:00:00"));
        assertThat(TimeArgument.parse("--to-time", "2026-11-27")).isEqualTo(TimeArgument.parse("--to-time", 
                "2026-11-27T00:00:00"));
        assertThatThrownBy(() -> TimeArgument.parse("--to-time", "1795773600")).as("seconds, not milliseconds")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1795773600 ms is in 1970");
        for (String impossible : new String[] {"2026-13-01", "2026-02-30", "2026-02-30T10:00:00Z"}) {
            assertThatThrownBy(() -> TimeArgument.parse("--from-time", impossible)).as(impossible)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--from-time: cannot read '" + impossible + "'");
        }
        assertThatThrownBy(() -> TimeArgument.parse("--to-time", "10 minutes ago"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read '10 minutes ago'");
    }
}
