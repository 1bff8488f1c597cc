package io.dledger.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class JitCostTest {
    private static LocalCpu.Sample jit(long nanos) {
        return new LocalCpu.Sample(0, Optional.empty(), nanos);
    }

    @Test
    void compilationTimeOverTheWindowAsCores() {
        // 20 s window: the nodes compiled for 4 s, this client for 7 s
        JitCost cost = JitCost.between(jit(1_000_000_000L), jit(8_000_000_000L), OptionalDouble.of(4e9), 20);
        assertThat(cost.clientNanos()).isEqualTo(7_000_000_000L);
        assertThat(cost.comment()).contains("JIT compiling over the window (compiler threads' elapsed time, "
                + "as cores): nodes 0.20, this client 0.35");
    }

    @Test
    void saysWhatItKnowsAndNothingWhenItKnowsNothing() {
        assertThat(JitCost.between(jit(-1), jit(5), OptionalDouble.of(2e9), 10).comment())
                .contains("JIT compiling over the window (compiler threads' elapsed time, as cores): nodes 0.20");
        assertThat(JitCost.between(jit(0), jit(3_000_000_000L), OptionalDouble.empty(), 10).comment())
                .contains("JIT compiling over the window (compiler threads' elapsed time, as cores): this client 0.30");
        assertThat(JitCost.between(jit(-1), jit(-1), OptionalDouble.empty(), 10).comment()).isEmpty();
    }
}
