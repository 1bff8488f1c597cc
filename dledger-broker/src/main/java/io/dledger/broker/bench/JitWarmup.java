package io.dledger.broker.bench;

import java.time.Duration;
import java.util.Locale;

/**
 * The warm-up before the first produce phase: while the caller keeps the load running, waits until the JIT
 * compilers of the nodes and of this client have settled, so the measured phases time the broker rather than the
 * compiler. Fresh JVMs on a small machine compile for a minute or more under load, and longer at a low rate (a
 * method called once per message becomes hot slowly): a single-thread phase on new nodes would otherwise spend most
 * of its CPU on the nodes' compilers. Settled means that over the last {@link #STEP} the nodes together compiled for
 * at most {@link #NODES_SETTLED_CORES} cores and this client for at most {@link #CLIENT_SETTLED_CORES} (a figure
 * that cannot be measured counts as settled, but a step in which some node did not answer both samples, or cut short
 * by the limit, never does); each step is reported as a comment. Gives up, and says so, after the longest warm-up it
 * is given.
 *
 * <p>Not thread-safe: the thread that drives the benchmark runs it.
 */
final class JitWarmup {
    static final Duration STEP = Duration.ofSeconds(5);
    static final double NODES_SETTLED_CORES = 0.2;
    static final double CLIENT_SETTLED_CORES = 0.1;

    private final WritePathSampler nodes;
    private final BenchReport report;

    JitWarmup(WritePathSampler nodes, BenchReport report) {
        this.nodes = nodes;
        this.report = report;
    }

    /** Whether the compilers were quiet enough over one step. */
    static boolean settled(JitCost step) {
        double seconds = step.seconds();
        boolean nodesQuiet = step.nodeNanos().isEmpty()
                || step.nodeNanos().getAsDouble() / 1e9 / seconds <= NODES_SETTLED_CORES;
        boolean clientQuiet = step.clientNanos() < 0 || step.clientNanos() / 1e9 / seconds <= CLIENT_SETTLED_CORES;
        return nodesQuiet && clientQuiet;
    }

    /**
     * Waits, in steps of {@link #STEP}, until the compilers settled or {@code longest} has passed; {@code load}
     * describes the load the caller runs meanwhile (for the comments).
     *
     * @return whether they settled
     */
    boolean await(Duration longest, String load) throws InterruptedException {
        long begin = System.nanoTime();
        long end = begin + longest.toNanos();
        report.comment("JIT warm-up: " + load + " until the compilers settle, at most " + longest.toSeconds()
                + " s (--jit-warmup 0 skips it)");
        ProduceBench.Samples at = ProduceBench.Samples.take(nodes);
        while (end - at.nanos() > 0) {
            Thread.sleep(Math.max(1, Math.min(STEP.toMillis(), (end - at.nanos()) / 1_000_000)));
            ProduceBench.Samples now = ProduceBench.Samples.take(nodes);
            long stepNanos = now.nanos() - at.nanos();
            JitCost step = JitCost.between(at.cpu(), now.cpu(), WritePathSampler.jitNanos(at.nodes(), now.nodes()),
                    stepNanos / 1e9);
            String elapsed = String.format(Locale.ROOT, "%.0f s", (now.nanos() - begin) / 1e9);
            boolean everyNode = WritePathSampler.skipped(at.nodes(), now.nodes()).isEmpty();
            report.comment("JIT warm-up, " + load + ", " + elapsed + " in: "
                    + step.comment().orElse("compilation time not measured")
                    + (everyNode ? "" : " (not every node answered: not counted)"));
            // a node that did not answer may be the busiest; a step cut short by the limit says too little
            if (everyNode && stepNanos >= STEP.toNanos() * 9 / 10 && settled(step)) {
                report.comment("JIT warm-up: the compilers settled after " + elapsed);
                return true;
            }
            at = now;
        }
        report.comment("JIT warm-up: still compiling after " + longest.toSeconds() + " s (--jit-warmup); the "
                + "phases measure the compiler too");
        return false;
    }
}
