package io.dledger.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MeasuredPhaseTallyTest {

    /** A failed send counts as an error, and its wait counts in the latencies: the caller waited for it as long. */
    @Test
    void failedOperationsCountAsErrorsAndInTheLatencies() {
        MeasuredPhase.Tally t = new MeasuredPhase.Tally();
        long now = System.nanoTime();
        t.record(now - TimeUnit.MILLISECONDS.toNanos(1), true);
        t.record(now - TimeUnit.SECONDS.toNanos(3), false);
        assertThat(t.acked).hasValue(1);
        assertThat(t.errors).hasValue(1);
        assertThat(t.latencyMicros.getTotalCount()).isEqualTo(2);
        assertThat(t.p99Millis()).isGreaterThanOrEqualTo(3000);
    }
}
