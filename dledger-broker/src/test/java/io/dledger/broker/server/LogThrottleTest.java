package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LogThrottleTest {
    @Test
    void theFirstCallPassesThenOnePerPeriod() {
        AtomicLong clock = new AtomicLong(1_000);
        LogThrottle t = new LogThrottle(100, clock::get);
        assertThat(t.pass()).isTrue();
        assertThat(t.pass()).isFalse();
        clock.addAndGet(99);
        assertThat(t.pass()).isFalse();
        clock.addAndGet(1);
        assertThat(t.pass()).isTrue();
        assertThat(t.pass()).isFalse();
    }
}
