package io.dledger.broker.metrics;

import io.dledger.broker.raft.log.AppendObserver;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

/**
 * Where a write's time goes, so a slow produce can be pinned on a stage (Prometheus names). Every stage is
 * recorded once per client write (a Produce request, an offset commit, an admin change), on the leader only:
 * <ul>
 *   <li>{@code dledger_write_stage_seconds{stage="queued"}}: from the write reaching the proposer to its Raft
 *       entry being handed to JRaft; group commit makes writes wait here while the pipeline is full;</li>
 *   <li>{@code stage="replicated"}: from that hand-over to the start of the entry's apply on the leader: the
 *       append to the leader's log, replication and the fsync on a majority, the commit, and the wait for the
 *       state machine thread (which may be applying earlier entries);</li>
 *   <li>{@code stage="applied"}: the entry's apply to the message store.</li>
 * </ul>
 * And on every node, per append of JRaft's log disk thread (either log format):
 * {@code dledger_raft_log_append_seconds} (encode, write and {@code fdatasync}),
 * {@code dledger_raft_log_append_entries} and {@code dledger_raft_log_append_bytes} (entry data).
 * The request's whole time on the node is {@code dledger_rpc_requests_seconds{method="Produce"}}.
 *
 * <p>Thread-safe (Micrometer meters); every method is a few nanoseconds of work.
 */
public final class WritePathTimers implements AppendObserver {
    /** Histogram buckets (Prometheus {@code le}): 50 microseconds to 5 seconds. */
    private static final Duration[] BUCKETS = LongStream.of(50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000,
            50_000, 100_000, 500_000, 5_000_000).mapToObj(micros -> Duration.ofNanos(micros * 1_000))
            .toArray(Duration[]::new);
    private static final String STAGE_HELP = "a client write's time on the leader, by stage: queued for a Raft "
            + "entry, replicated until its apply starts, applied to the store";

    private final Timer queued;
    private final Timer replicated;
    private final Timer applied;
    private final Timer logAppend;
    private final DistributionSummary logEntries;
    private final DistributionSummary logBytes;

    public WritePathTimers(MeterRegistry registry) {
        queued = stage(registry, "queued");
        replicated = stage(registry, "replicated");
        applied = stage(registry, "applied");
        logAppend = Timer.builder("dledger.raft.log.append")
                .description("an append to the Raft log: encode, write, fdatasync")
                .serviceLevelObjectives(BUCKETS).register(registry);
        logEntries = DistributionSummary.builder("dledger.raft.log.append.entries")
                .description("Raft entries per append of the log disk thread").register(registry);
        logBytes = DistributionSummary.builder("dledger.raft.log.append.bytes").baseUnit("bytes")
                .description("entry data bytes per append of the log disk thread").register(registry);
    }

    private static Timer stage(MeterRegistry registry, String stage) {
        return Timer.builder("dledger.write.stage").tag("stage", stage).description(STAGE_HELP)
                .serviceLevelObjectives(BUCKETS).register(registry);
    }

    public void queued(long nanos) {
        queued.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** {@code writes} client writes spent {@code nanos} in the replicated stage (one Raft entry carries them). */
    public void replicated(long nanos, int writes) {
        for (int i = 0; i < writes; i++) {
            replicated.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** {@code writes} client writes spent {@code nanos} being applied (one Raft entry carries them). */
    public void applied(long nanos, int writes) {
        for (int i = 0; i < writes; i++) {
            applied.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void appended(int entries, long bytes, long nanos) {
        logEntries.record(entries);
        logBytes.record(bytes);
        logAppend.record(nanos, TimeUnit.NANOSECONDS);
    }
}
