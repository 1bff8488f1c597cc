package io.dledger.broker.bench;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.entity.Task;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The load of {@code dledger bench raft}, run inside the leader's JVM: per phase, {@code threads} threads each apply
 * an entry of {@code size} random bytes to the Raft group and wait until it is committed and applied (by a state
 * machine that does nothing with it) before they apply the next; a warm-up, then {@code windows} measured windows
 * back to back, whose medians are the phase's RESULT lines (errors: their sum). No gRPC, no client and no message
 * store: what the Raft layer alone (JRaft with the broker's options, Raft log and transport) does on this machine,
 * against which the produce benchmark's figures can be read. One entry per operation: the broker puts many
 * messages in one entry when many are sent at once, this load never does.
 *
 * <p>Not thread-safe: one driver thread calls {@link #run}; it starts and joins its worker threads. Once the
 * {@code closing} condition given to the constructor holds (the node's shutdown hook sets it, then shuts JRaft
 * down without waiting), the workers apply nothing more and end quietly: an entry pending, or one applied in the
 * moment between a worker's check and the shutdown, fails, and that failure is not reported. The driver then
 * reports nothing more.
 */
final class RaftLoad {
    /** What to run; the durations are per phase (warm-up) and per window. */
    record Options(List<Integer> threads, int size, Duration warmup, Duration duration, int windows) {
    }

    private final Node node;
    private final Options o;
    private final BenchReport report;
    private final Supplier<OptionalDouble> nodesCpuNanos;
    private final byte[] payload;
    private final BooleanSupplier closing;

    /**
     * {@code nodesCpuNanos}: the CPU time all nodes used so far (empty when unknown); {@code closing}: whether the
     * node is shutting down, after which nothing more is applied.
     */
    RaftLoad(Node node, Options options, BenchReport report, Supplier<OptionalDouble> nodesCpuNanos,
             BooleanSupplier closing) {
        this.closing = closing;
        this.node = node;
        this.o = options;
        this.report = report;
        this.nodesCpuNanos = nodesCpuNanos;
        this.payload = new byte[options.size()];
        ThreadLocalRandom.current().nextBytes(payload);
    }

    void run() throws InterruptedException {
        for (int threads : o.threads()) {
            if (closing.getAsBoolean()) {
                return;
            }
            runPhase(threads);
        }
    }

    private void runPhase(int threads) throws InterruptedException {
        report.comment("raft: " + threads + (threads == 1 ? " thread" : " threads") + " applying " + o.size()
                + "-byte entries, each waiting for its entry to be applied; warm-up " + o.warmup().toSeconds()
                + " s, measured "
                + (o.windows() > 1 ? o.windows() + " x " : "") + o.duration().toSeconds() + " s");
        MeasuredPhase w = new MeasuredPhase();
        w.startWorkers(threads, "bench-raft", () -> applyLoop(w));
        Thread.sleep(o.warmup().toMillis());
        List<List<ResultLine>> windows = w.measure(o.windows(), o.duration(), this::sample,
                (t, start, end, number) -> results(threads, t, start, end, number));
        w.joinWorkers();
        if (closing.getAsBoolean()) { // cut short by the node's shutdown: no figures
            return;
        }
        BenchReport.combineWindows(windows, Set.of("raft_errors")).forEach(report::result);
    }

    /** The nodes' CPU, this machine's and the clock at one moment. */
    private record Sample(OptionalDouble nodesCpuNanos, LocalCpu.Sample local, long nanos) {
    }

    private Sample sample() {
        return new Sample(nodesCpuNanos.get(), LocalCpu.sample(), System.nanoTime());
    }

    private List<ResultLine> results(int threads, MeasuredPhase.Tally t, Sample start, Sample end, int number) {
        if (closing.getAsBoolean()) { // the node is shutting down: this window's figures mean nothing
            return List.of();
        }
        double secs = (end.nanos() - start.nanos()) / 1e9;
        long applied = t.acked.get();
        double rate = applied / secs;
        List<ResultLine> lines = new ArrayList<>();
        lines.add(ResultLine.of("raft_entries_per_s", threads, o.size(), rate));
        lines.add(ResultLine.of("raft_p50_ms", threads, o.size(), t.p50Millis()));
        lines.add(ResultLine.of("raft_p99_ms", threads, o.size(), t.p99Millis()));
        lines.add(ResultLine.of("raft_errors", threads, o.size(), t.errors.get()));
        OptionalDouble nodes = start.nodesCpuNanos().isPresent() && end.nodesCpuNanos().isPresent()
                ? OptionalDouble.of(end.nodesCpuNanos().getAsDouble() - start.nodesCpuNanos().getAsDouble())
                : OptionalDouble.empty();
        if (nodes.isPresent() && applied > 0) {
            lines.add(ResultLine.of("node_cpu_us_per_entry", threads, o.size(), nodes.getAsDouble() / 1e3 / applied));
        }
        if (o.windows() > 1) {
            report.comment(t.windowLine(number, o.windows(), rate, "entries/s"));
        }
        CpuCost cpu = CpuCost.between(start.local(), end.local(), nodes, secs, applied);
        report.comment("CPU over the window: " + (nodes.isPresent() ? "nodes " + CpuCost.cores(nodes.getAsDouble(),
                secs) + " cores (the leader's includes the load's threads)" : "nodes unknown")
                + cpu.machineComment().map(m -> "; " + m).orElse(""));
        long jit = end.local().jitNanos() - start.local().jitNanos();
        if (start.local().jitNanos() >= 0) { // the leader's only: the followers' compilers are not measured
            report.comment("JIT compiling over the window (compiler threads' elapsed time, as cores): leader "
                    + CpuCost.cores(jit, secs));
        }
        return lines;
    }

    private void applyLoop(MeasuredPhase w) {
        while (!w.stopped() && !closing.getAsBoolean()) {
            long t0 = System.nanoTime();
            CompletableFuture<Boolean> applied = new CompletableFuture<>();
            try {
                node.apply(new Task(ByteBuffer.wrap(payload), status -> applied.complete(status.isOk())));
            } catch (RuntimeException e) {
                if (closing.getAsBoolean()) { // JRaft is shutting down under this thread: the run is over
                    return;
                }
                throw e;
            }
            boolean ok = applied.join();
            if (closing.getAsBoolean()) {
                return;
            }
            w.record(t0, ok);
            if (!ok) { // not the leader any more, or overloaded: do not spin
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }
}
