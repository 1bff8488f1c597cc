package io.dledger.broker.bench;

import io.dledger.broker.local.NodeAccess;
import io.dledger.client.DLedgerClient;
import io.dledger.client.Message;
import io.dledger.client.Producer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Produce throughput and latency: payloads of {@code size} random bytes, for each thread count a
 * warm-up (discarded) then a measured period. Sync mode: every thread sends one message and waits for
 * its acknowledgement, all threads sharing one client and one producer. Async mode: up to
 * {@code inflight} sends outstanding per thread, the caller never waiting message by message. Each phase may
 * measure several windows back to back; its RESULT lines are then the medians over them (errors: the sum).
 */
final class ProduceBench {
    enum Mode { SYNC, ASYNC }

    /**
     * What to run.
     *
     * @param windows measured windows per phase, back to back after one warm-up; each RESULT is the median over
     *                them, errors their sum (a window's figures are also printed, as a comment, when there are
     *                several)
     * @param jitWarmup the longest warm-up before the first phase, at the most threads, until the JIT compilers
     *                  settle ({@link JitWarmup}); zero: none
     */
    record Options(String topic, int size, List<Integer> threads, Duration warmup, Duration duration, Mode mode,
                   int inflight, int windows, Duration jitWarmup) {
    }

    private static final int PAYLOADS = 64;

    private final DLedgerClient client;
    private final Options o;
    private final BenchReport report;
    private final NodeAccess metricsAccess; // how to read the nodes' /metrics
    private final byte[][] payloads = new byte[PAYLOADS][];

    ProduceBench(DLedgerClient client, Options options, NodeAccess metricsAccess, BenchReport report) {
        this.client = client;
        this.metricsAccess = metricsAccess;
        this.o = options;
        this.report = report;
        for (int i = 0; i < PAYLOADS; i++) {
            payloads[i] = new byte[options.size()];
            ThreadLocalRandom.current().nextBytes(payloads[i]);
        }
    }

    void run() throws InterruptedException {
        if (!o.jitWarmup().isZero()) {
            warmUpJit(o.threads().stream().mapToInt(Integer::intValue).max().orElse(1));
        }
        for (int threads : o.threads()) {
            runPhase(threads);
        }
    }

    private void runPhase(int threads) throws InterruptedException {
        report.comment("produce: " + threads + (threads == 1 ? " thread, " : " threads, ")
                + o.mode().name().toLowerCase() + " mode"
                + (o.mode() == Mode.ASYNC ? " (" + o.inflight() + " in flight per thread)" : "") + ", warm-up "
                + o.warmup().toSeconds() + " s, measured " + (o.windows() > 1 ? o.windows() + " x " : "")
                + o.duration().toSeconds() + " s");
        MeasuredPhase w = new MeasuredPhase();
        try (Producer producer = client.newProducer()) {
            startLoad(w, producer, threads, "bench-produce");
            Thread.sleep(o.warmup().toMillis());
            WritePathSampler sampler = WritePathSampler.of(client, metricsAccess);
            List<List<ResultLine>> windows = w.measure(o.windows(), o.duration(), () -> Samples.take(sampler),
                    (t, start, end, number) -> results(threads, t, start, end, number));
            w.joinWorkers();
            if (!sampler.refused().isEmpty()) {
                report.comment("nodes that refused to show their metrics (401: http.auth takes a token of every "
                        + "topic, --token-file): " + sampler.refused());
            }
            BenchReport.combineWindows(windows, Set.of("produce_errors")).forEach(report::result);
        }
    }

    /** Runs the load at {@code threads} threads, nothing measured, until {@link JitWarmup} finds the JIT settled. */
    private void warmUpJit(int threads) throws InterruptedException {
        MeasuredPhase w = new MeasuredPhase();
        try (Producer producer = client.newProducer()) {
            startLoad(w, producer, threads, "bench-jit-warmup");
            try {
                new JitWarmup(WritePathSampler.of(client, metricsAccess), report).await(o.jitWarmup(),
                        threads + (threads == 1 ? " thread " : " threads ")
                                + o.mode().name().toLowerCase());
            } finally {
                w.stop();
                w.joinWorkers();
            }
        }
    }

    /** Starts {@code threads} workers ({@code name-0}, ...) sending in this run's mode until {@code w} stops. */
    private void startLoad(MeasuredPhase w, Producer producer, int threads, String name) {
        w.startWorkers(threads, name,
                o.mode() == Mode.SYNC ? () -> syncLoop(producer, w) : () -> asyncLoop(producer, w));
    }

    /** The nodes' metrics, this process's CPU and the clock at one moment (also {@link JitWarmup}'s steps). */
    record Samples(WritePathSampler.Sample nodes, LocalCpu.Sample cpu, long nanos) {
        static Samples take(WritePathSampler sampler) {
            return new Samples(sampler.sample(), LocalCpu.sample(), System.nanoTime());
        }
    }

    /**
     * The results of window {@code number} (from {@code start} to {@code end}, in which {@code t} counted); reports
     * its comments (and, with several windows, a summary line of its own).
     */
    private List<ResultLine> results(int threads, MeasuredPhase.Tally t, Samples start, Samples end, int number) {
        WritePathSampler.Sample before = start.nodes();
        WritePathSampler.Sample after = end.nodes();
        LocalCpu.Sample cpuBefore = start.cpu();
        LocalCpu.Sample cpuAfter = end.cpu();
        double secs = (end.nanos() - start.nanos()) / 1e9;
        List<ResultLine> lines = new ArrayList<>();
        double rate = t.acked.get() / secs;
        double p50 = t.p50Millis();
        double p99 = t.p99Millis();
        lines.add(ResultLine.of("produce_msgs_per_s", threads, o.size(), rate));
        lines.add(ResultLine.of("produce_mb_per_s", threads, o.size(), rate * o.size() / 1e6));
        lines.add(ResultLine.of("produce_p50_ms", threads, o.size(), p50));
        lines.add(ResultLine.of("produce_p99_ms", threads, o.size(), p99));
        lines.add(ResultLine.of("produce_errors", threads, o.size(), t.errors.get()));
        if (o.windows() > 1) {
            report.comment(t.windowLine(number, o.windows(), rate, "msgs/s"));
        }
        // where the time went on the nodes (means over the window): see WritePathSampler
        List<String> skipped = WritePathSampler.skipped(before, after);
        if (!skipped.isEmpty()) {
            report.comment("write-path means leave out nodes that did not answer both samples or restarted: "
                    + skipped);
        }
        WritePathSampler.means(before, after).forEach((metric, mean) ->
                lines.add(ResultLine.of(metric, threads, o.size(), mean)));
        CpuCost cpu = CpuCost.between(cpuBefore, cpuAfter, WritePathSampler.cpuNanos(before, after), secs,
                t.acked.get());
        lines.addAll(cpu.results(threads, o.size()));
        report.comment(cpu.comment());
        JitCost.between(cpuBefore, cpuAfter, WritePathSampler.jitNanos(before, after), secs).comment()
                .ifPresent(report::comment);
        return lines;
    }

    private Message payload() {
        return Message.of(payloads[ThreadLocalRandom.current().nextInt(PAYLOADS)]);
    }

    private void syncLoop(Producer producer, MeasuredPhase w) {
        while (!w.stopped()) {
            long t0 = System.nanoTime();
            boolean ok;
            try {
                producer.send(o.topic(), payload());
                ok = true;
            } catch (RuntimeException e) {
                ok = false;
            }
            w.record(t0, ok);
        }
    }

    private void asyncLoop(Producer producer, MeasuredPhase w) {
        java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(o.inflight());
        while (!w.stopped()) {
            try {
                if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long t0 = System.nanoTime();
            try {
                producer.sendAsync(o.topic(), payload()).whenComplete((r, e) -> {
                    w.record(t0, e == null);
                    permits.release();
                });
            } catch (RuntimeException e) { // refused before a future existed: an error, and the permit comes back
                w.record(t0, false);
                permits.release();
            }
        }
        permits.acquireUninterruptibly(o.inflight()); // let the outstanding sends finish
    }
}
