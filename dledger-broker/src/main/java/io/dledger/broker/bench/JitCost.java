package io.dledger.broker.bench;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Time the JIT compilers of the nodes (from their {@code jvm_compilation_time_ms_total}, added up) and of this
 * client spent compiling during a measured window, as cores (the JVM counts its compiler threads' elapsed time,
 * which on a saturated machine includes waiting for a CPU). A large figure means the window still ran partly
 * interpreted or compiling, competing with the work for the CPUs: a longer {@code --warmup} leaves it out (the
 * bench's client is a new JVM on every run, the nodes are new after {@code --local} or a restart). Immutable.
 *
 * @param nodeNanos   the nodes' compilation time over the window; empty when no node reported it
 * @param clientNanos this process's compilation time over the window; negative when the JVM does not measure it
 * @param seconds     length of the window
 */
record JitCost(OptionalDouble nodeNanos, long clientNanos, double seconds) {

    static JitCost between(LocalCpu.Sample before, LocalCpu.Sample after, OptionalDouble nodeNanos, double seconds) {
        long client = before.jitNanos() < 0 || after.jitNanos() < 0 ? -1 : after.jitNanos() - before.jitNanos();
        return new JitCost(nodeNanos, client, seconds);
    }

    /**
     * For example "JIT compiling over the window (compiler threads' elapsed time, as cores): nodes 0.21, this
     * client 0.35"; empty when neither is known. Elapsed, not CPU, time: on a saturated machine it overstates.
     */
    Optional<String> comment() {
        if (nodeNanos.isEmpty() && clientNanos < 0) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder("JIT compiling over the window (compiler threads' elapsed time, "
                + "as cores): ");
        nodeNanos.ifPresent(n -> sb.append("nodes ").append(cores(n)));
        if (clientNanos >= 0) {
            sb.append(nodeNanos.isPresent() ? ", " : "").append("this client ").append(cores(clientNanos));
        }
        return Optional.of(sb.toString());
    }

    private String cores(double nanos) {
        return CpuCost.cores(nanos, seconds);
    }
}
