package io.dledger.broker.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a measured window cost in CPU: the nodes' CPU time (from their metrics, added up), this client's, and how
 * busy the client's machine was. Reported per acknowledged message ({@code node_cpu_us_per_msg},
 * {@code client_cpu_us_per_msg}), which varies much less with other load on a shared machine than the message
 * rate does, and as one comment line of cores used. Immutable.
 *
 * @param nodeNanos    CPU time of the nodes over the window; empty when no node reported it
 * @param clientNanos  CPU time of this process over the window
 * @param machine      busy, total and steal clock ticks of this machine over the window; empty when unknown
 * @param seconds      length of the window
 * @param messages     messages acknowledged in the window
 * @param cpus         processors of this machine
 */
record CpuCost(OptionalDouble nodeNanos, long clientNanos, Optional<LocalCpu.MachineTicks> machine, double seconds,
               long messages, int cpus) {

    static CpuCost between(LocalCpu.Sample before, LocalCpu.Sample after, OptionalDouble nodeNanos, double seconds,
                           long messages) {
        Optional<LocalCpu.MachineTicks> machine = before.machine().flatMap(b -> after.machine().map(a ->
                new LocalCpu.MachineTicks(a.busy() - b.busy(), a.total() - b.total(), a.steal() - b.steal())));
        return new CpuCost(nodeNanos, after.processNanos() - before.processNanos(), machine, seconds, messages,
                Runtime.getRuntime().availableProcessors());
    }

    /** Microseconds of CPU per acknowledged message; none without messages. */
    List<ResultLine> results(int threads, int size) {
        List<ResultLine> out = new ArrayList<>();
        if (messages <= 0) {
            return out;
        }
        nodeNanos.ifPresent(n -> out.add(ResultLine.of("node_cpu_us_per_msg", threads, size, n / 1e3 / messages)));
        out.add(ResultLine.of("client_cpu_us_per_msg", threads, size, clientNanos / 1e3 / messages));
        return out;
    }

    /** For example "CPU over the window: nodes 1.21 cores, this client 0.30; this machine 1.74 of 2 cores busy ...". */
    String comment() {
        StringBuilder sb = new StringBuilder("CPU over the window: ");
        nodeNanos.ifPresent(n -> sb.append("nodes ").append(cores(n)).append(" cores, "));
        sb.append("this client ").append(cores(clientNanos));
        machineComment().ifPresent(m -> sb.append("; ").append(m));
        return sb.toString();
    }

    /** For example "this machine 1.74 of 2 cores busy, 0.03 stolen by the hypervisor"; empty when unknown. */
    Optional<String> machineComment() {
        return machine.filter(m -> m.total() > 0).map(m -> String.format(Locale.ROOT,
                "this machine %.2f of %d cores busy, %.2f stolen by the hypervisor",
                (double) m.busy() / m.total() * cpus, cpus, (double) m.steal() / m.total() * cpus));
    }

    private String cores(double nanos) {
        return cores(nanos, seconds);
    }

    /** {@code nanos} of CPU (or compiler) time over a window of {@code seconds}, as cores with two decimals. */
    static String cores(double nanos, double seconds) {
        return String.format(Locale.ROOT, "%.2f", seconds > 0 ? nanos / 1e9 / seconds : 0);
    }
}
