package io.dledger.broker.raft.log;

/**
 * Told about every append to the Raft log that stored at least one entry, for metrics: how many entries, their
 * data bytes, and how long the append took (encoding, the write and the {@code fdatasync}; when the append rolls
 * into a new segment, also the old segment's sync and the new one's creation). Called on JRaft's log disk thread
 * after the append returned; an implementation must be cheap and must not block.
 */
@FunctionalInterface
public interface AppendObserver {
    AppendObserver NONE = (entries, bytes, nanos) -> { };

    void appended(int entries, long bytes, long nanos);
}
