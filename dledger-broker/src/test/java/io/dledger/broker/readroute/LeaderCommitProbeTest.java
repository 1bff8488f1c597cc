package io.dledger.broker.readroute;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LeaderCommitProbeTest {
    private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(50));
    private final AtomicLong applied = new AtomicLong(100);
    private final AtomicBoolean follower = new AtomicBoolean(true);
    private final List<LongConsumer> answers = new ArrayList<>();
    private final List<Runnable> failures = new ArrayList<>();
    private final LeaderCommitProbe probe = new LeaderCommitProbe((onIndex, onFailure) -> {
        answers.add(onIndex);
        failures.add(onFailure);
    }, applied::get, follower::get, now::get, null, 500, 1000, 60_000);

    private void advanceMs(long ms) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void measuresHowFarTheLeadersCommitWasAheadWhenAsked() {
        assertThat(probe.lagEntries()).isZero(); // unknown yet; this read also asks for probing
        probe.probe();
        assertThat(answers).hasSize(1);
        applied.set(5_000); // JRaft answers once this node has applied up to the leader's commit
        answers.get(0).accept(5_000);
        assertThat(probe.lagEntries()).isEqualTo(4_900);

        probe.probe();
        answers.get(1).accept(5_003);
        assertThat(probe.lagEntries()).isEqualTo(3);
    }

    @Test
    void anAnswerLateBeyondTheLimitCountsAsFarBehindUntilItComes() {
        probe.lagEntries();
        probe.probe();
        advanceMs(900);
        assertThat(probe.lagEntries()).isZero();
        probe.probe(); // one probe in flight at most
        assertThat(answers).hasSize(1);
        advanceMs(200);
        assertThat(probe.lagEntries()).isEqualTo(Long.MAX_VALUE);
        answers.get(0).accept(120);
        assertThat(probe.lagEntries()).isEqualTo(20);
    }

    @Test
    void aQuickFailureSaysNothingButASlowOneMeansBehind() {
        probe.lagEntries();
        probe.probe();
        failures.get(0).run(); // leader changed: unknown
        assertThat(probe.lagEntries()).isZero();
        probe.probe();
        advanceMs(2_000);
        failures.get(1).run(); // JRaft's ReadIndex timed out while this node was catching up
        assertThat(probe.lagEntries()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void probesOnlyAFollowerWithALeaderThatServesReads() {
        advanceMs(10);
        probe.probe();
        assertThat(answers).isEmpty(); // no pull served yet
        probe.lagEntries();
        probe.probe();
        assertThat(answers).hasSize(1);
        answers.get(0).accept(500);
        assertThat(probe.lagEntries()).isEqualTo(400);
        advanceMs(61_000); // no pull for longer than wanted: no more rounds to the leader
        probe.probe();
        assertThat(answers).hasSize(1);
        assertThat(probe.lastMeasured()).as("an old measurement is not kept").isZero();

        probe.lagEntries();
        follower.set(false); // became leader, or lost the leader
        probe.probe();
        assertThat(answers).hasSize(1);
        assertThat(probe.lagEntries()).isZero();
    }

    @Test
    void aFailingAppliedIndexDoesNotEndProbing() {
        AtomicBoolean failing = new AtomicBoolean(true);
        LeaderCommitProbe p = new LeaderCommitProbe((onIndex, onFailure) -> answers.add(onIndex), () -> {
            if (failing.get()) {
                throw new IllegalStateException("node not active");
            }
            return applied.get();
        }, follower::get, now::get, null, 500, 1000, 60_000);
        p.lagEntries();
        p.probe(); // must not throw: a scheduled task that throws is never run again
        failing.set(false);
        p.probe();
        assertThat(answers).hasSize(1);
    }

    @Test
    void aRefusedRequestLeavesNoProbeInFlight() {
        AtomicLong calls = new AtomicLong();
        LeaderCommitProbe refusing = new LeaderCommitProbe((onIndex, onFailure) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("node stopped");
        }, applied::get, follower::get, now::get, null, 500, 1000, 60_000);
        refusing.probe();
        refusing.probe();
        assertThat(calls).hasValue(2);
        advanceMs(5_000);
        assertThat(refusing.lagEntries()).isZero();
    }
}
