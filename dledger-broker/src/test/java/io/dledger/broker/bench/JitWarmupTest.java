package io.dledger.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class JitWarmupTest {
    private static JitCost step(double nodeCores, double clientCores) {
        double seconds = 5;
        return new JitCost(OptionalDouble.of(nodeCores * seconds * 1e9), (long) (clientCores * seconds * 1e9), seconds);
    }

    @Test
    void settledOnceNodesAndClientCompileLittle() {
        assertThat(JitWarmup.settled(step(0.15, 0.05))).isTrue();
        assertThat(JitWarmup.settled(step(0.2, 0.1))).isTrue();
    }

    @Test
    void notSettledWhileEitherStillCompiles() {
        assertThat(JitWarmup.settled(step(1.41, 0.05))).as("the nodes").isFalse();
        assertThat(JitWarmup.settled(step(0.05, 0.37))).as("this client").isFalse();
    }

    @Test
    void aFigureThatCannotBeMeasuredCountsAsSettled() {
        assertThat(JitWarmup.settled(new JitCost(OptionalDouble.empty(), -1, 5))).isTrue();
        assertThat(JitWarmup.settled(new JitCost(OptionalDouble.empty(), (long) 1e9, 5))).as("client 0.2").isFalse();
    }
}
