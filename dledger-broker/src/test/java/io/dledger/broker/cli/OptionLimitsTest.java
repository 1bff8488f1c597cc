package io.dledger.broker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class OptionLimitsTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void theLeastAllowedValueAndOptionsLeftOutPass() {
        assertThat(new OptionLimits().atLeast("--count", 0, 0).atLeast("--size", 1, 1).atLeast("--from", null, 0)
                .reportTo(err)).isFalse();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void everyValueBelowItsLimitIsReportedWithItsOption() {
        assertThat(new OptionLimits().atLeast("--count", -1, 0).atLeast("--size", 0L, 1).atLeast("--queue", 3, 0)
                .reportTo(err)).isTrue();
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "error: --count must be at least 0, not -1", "error: --size must be at least 1, not 0");
    }
}
