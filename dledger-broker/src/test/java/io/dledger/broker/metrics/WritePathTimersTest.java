package io.dledger.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WritePathTimersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WritePathTimers timers = new WritePathTimers(registry);

    private double stageMillis(String stage) {
        return registry.get("dledger.write.stage").tag("stage", stage).timer().totalTime(TimeUnit.MILLISECONDS);
    }

    @Test
    void eachStageHasItsOwnTimerCountedPerWrite() {
        timers.queued(TimeUnit.MILLISECONDS.toNanos(1));
        timers.replicated(TimeUnit.MILLISECONDS.toNanos(2), 1);
        timers.replicated(TimeUnit.MILLISECONDS.toNanos(4), 2); // one entry carrying two writes
        timers.applied(TimeUnit.MILLISECONDS.toNanos(3), 1);
        assertThat(stageMillis("queued")).isEqualTo(1);
        assertThat(stageMillis("replicated")).isEqualTo(10);
        assertThat(registry.get("dledger.write.stage").tag("stage", "replicated").timer().count()).isEqualTo(3);
        assertThat(stageMillis("applied")).isEqualTo(3);
    }

    @Test
    void raftLogAppendsRecordTimeEntriesAndBytes() {
        timers.appended(5, 6000, TimeUnit.MICROSECONDS.toNanos(150));
        timers.appended(1, 1200, TimeUnit.MICROSECONDS.toNanos(50));
        assertThat(registry.get("dledger.raft.log.append").timer().count()).isEqualTo(2);
        assertThat(registry.get("dledger.raft.log.append").timer().totalTime(TimeUnit.MICROSECONDS)).isEqualTo(200);
        assertThat(registry.get("dledger.raft.log.append.entries").summary().totalAmount()).isEqualTo(6);
        assertThat(registry.get("dledger.raft.log.append.bytes").summary().totalAmount()).isEqualTo(7200);
    }
}
