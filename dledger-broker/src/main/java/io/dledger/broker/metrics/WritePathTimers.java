package io.dledger.broker.metrics;

import io.dledger.broker.raft.log.AppendObserver;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

/**
 * Where a write's time goes, so a slow produce can be pinned on a stage (Prometheus names):
 * <ul>
 *   <li>{@code dledger_write_stage_seconds{stage="queued"}}: on the leader, from a write reaching the proposer to
 *       its Raft entry being handed to JRaft; group commit makes writes wait here while the pipeline is full;</li>
 *   <li>{@code stage="replicated"}: from that hand-over to the start of the entry's apply on the leader: the
 *       append to the leader's log, replication, the fsync on a majority and the commit;</li>
 *   <li>{@code stage="applied"}: the entry's apply to the message store on the leader;</li>
 *   <li>{@code dledger_raft_log_write_seconds} and {@code dledger_raft_log_sync_seconds}: on every node, each
 *       append of JRaft's log disk thread to the segment Raft log (copy into the file, then {@code fdatasync}),
 *       and {@code dledger_raft_log_append_entries}: entries per append.</li>
 * </ul>
 * The request's whole time on the node is {@code dledger_rpc_requests_seconds{method="Produce"}}.
 *
 * <p>Thread-safe (Micrometer meters); every method is a few nanoseconds of work.
 */
public final class WritePathTimers implements AppendObserver {
    /** Histogram buckets (Prometheus {@code le}): 50 microseconds to 5 seconds. */
    private static final Duration[] BUCKETS = LongStream.of(50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000,
            50_000, 100_000, 500_000, 5_000_000).mapToObj(Duration::ofNanos).map(d -> d.multipliedBy(1_000))
            .toArray(Duration[]::new);

    private final Timer queued;
    private final Timer replicated;
    private final Timer applied;
    private final Timer logWrite;
    private final Timer logSync;
    private final DistributionSummary logEntries;

    public WritePathTimers(MeterRegistry registry) {
        queued = stage(registry, "queued", "waiting on the leader for a Raft entry (group commit)");
        replicated = stage(registry, "replicated", "from the hand-over to JRaft until the leader applies the entry");
        applied = stage(registry, "applied", "applying the entry to the message store on the leader");
        logWrite = Timer.builder("dledger.raft.log.write").description("copying an append into the Raft log file")
                .serviceLevelObjectives(BUCKETS).register(registry);
        logSync = Timer.builder("dledger.raft.log.sync").description("fdatasync of the Raft log after an append")
                .serviceLevelObjectives(BUCKETS).register(registry);
        logEntries = DistributionSummary.builder("dledger.raft.log.append.entries")
                .description("Raft entries per append of the log disk thread").register(registry);
    }

    private static Timer stage(MeterRegistry registry, String stage, String description) {
        return Timer.builder("dledger.write.stage").tag("stage", stage).description(description)
                .serviceLevelObjectives(BUCKETS).register(registry);
    }

    public void queued(long nanos) {
        queued.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void replicated(long nanos) {
        replicated.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void applied(long nanos) {
        applied.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void appended(int entries, long bytes, long writeNanos, long syncNanos) {
        logEntries.record(entries);
        logWrite.record(writeNanos, TimeUnit.NANOSECONDS);
        if (syncNanos > 0) {
            logSync.record(syncNanos, TimeUnit.NANOSECONDS);
        }
    }
}
