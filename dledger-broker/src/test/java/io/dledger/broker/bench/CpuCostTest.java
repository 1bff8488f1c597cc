package io.dledger.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CpuCostTest {
    @Test
    void readsTheAggregateLineOfProcStat() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        assertThat(LocalCpu.parse("cpu  3939145 0 1123552 3427534 57815 0 91516 26854 500 0"))
                .contains(new LocalCpu.MachineTicks(3939145 + 1123552 + 91516 + 26854,
                        3939145 + 1123552 + 3427534 + 57815 + 91516 + 26854, 26854));
        assertThat(LocalCpu.parse("cpu0 1 2 3 4 5 6 7 8")).isEmpty(); // one processor's line, not the sum
        assertThat(LocalCpu.parse("cpu 1 2 x 4")).isEmpty();
        assertThat(LocalCpu.parse("")).isEmpty();
        assertThat(LocalCpu.machine(java.nio.file.Path.of("/nonexistent/stat"))).isEmpty();
    }

    @Test
    void costPerMessageAndCoresUsedOverTheWindow() {
        LocalCpu.Sample before = new LocalCpu.Sample(1_000_000_000L,
                Optional.of(new LocalCpu.MachineTicks(1000, 5000, 10)), -1);
        LocalCpu.Sample after = new LocalCpu.Sample(7_000_000_000L,
                Optional.of(new LocalCpu.MachineTicks(4600, 9000, 50)), -1);
        // 20 s window, 100,000 messages; the nodes used 30 s of CPU, this client 6 s
        CpuCost cost = new CpuCost(OptionalDouble.of(30e9), 6_000_000_000L,
                Optional.of(new LocalCpu.MachineTicks(3600, 4000, 40)), 20, 100_000, 2);
        assertThat(cost.results(32, 1024)).containsExactly(
                ResultLine.of("node_cpu_us_per_msg", 32, 1024, 300),
                ResultLine.of("client_cpu_us_per_msg", 32, 1024, 60));
        assertThat(cost.comment()).isEqualTo("CPU over the window: nodes 1.50 cores, this client 0.30; "
                + "this machine 1.80 of 2 cores busy, 0.02 stolen by the hypervisor");
        CpuCost between = CpuCost.between(before, after, OptionalDouble.of(30e9), 20, 100_000);
        assertThat(between.clientNanos()).isEqualTo(6_000_000_000L);
        assertThat(between.machine()).contains(new LocalCpu.MachineTicks(3600, 4000, 40));
    }

    @Test
    void withoutNodeFiguresMachineFiguresOrMessagesItSaysLess() {
        CpuCost cost = new CpuCost(OptionalDouble.empty(), 2_000_000_000L, Optional.empty(), 10, 50, 2);
        assertThat(cost.results(1, 1024)).containsExactly(ResultLine.of("client_cpu_us_per_msg", 1, 1024, 40_000));
        assertThat(cost.comment()).isEqualTo("CPU over the window: this client 0.20");
        assertThat(new CpuCost(OptionalDouble.of(1e9), 1, Optional.empty(), 10, 0, 2).results(1, 1024)).isEmpty();
        assertThat(List.of(new CpuCost(OptionalDouble.empty(), 0, Optional.of(new LocalCpu.MachineTicks(0, 0, 0)),
                0, 1, 2).comment())).containsExactly("CPU over the window: this client 0.00");
    }
}
