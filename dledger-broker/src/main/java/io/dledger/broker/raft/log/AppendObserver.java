package io.dledger.broker.raft.log;

/**
 * Told about every append the Raft log's disk thread completes, for metrics: how many entries and bytes it wrote,
 * and how long the write and the {@code fdatasync} took. Called on JRaft's log disk thread, after the entries are
 * durable; an implementation must be cheap and must not block.
 */
@FunctionalInterface
public interface AppendObserver {
    AppendObserver NONE = (entries, bytes, writeNanos, syncNanos) -> { };

    /** {@code syncNanos} is 0 when nothing was synced ({@code raft.sync=false}). */
    void appended(int entries, long bytes, long writeNanos, long syncNanos);
}
