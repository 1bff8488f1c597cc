package io.dledger.broker.store;

import java.util.concurrent.atomic.LongAdder;

/**
 * Log bytes that reads of a queue ({@link MessageStore#read}: pulls, and queue digests) took, by how: copied out of a
 * segment's memory mapping (the wanted records' bytes), or read with positional reads (the runs' spans, the gaps
 * between a queue's records included: cold data, bytes past the active segment's mapping, runs across two segments,
 * a segment whose mapping failed; see {@link QueueReader}). A run read again positionally after its mapped read
 * failed counts once, as positional. Thread-safe: any reader adds, any thread reads.
 */
public final class PullReads {
    private final LongAdder mapped = new LongAdder();
    private final LongAdder positional = new LongAdder();

    void mapped(long bytes) {
        mapped.add(bytes);
    }

    void positional(long bytes) {
        positional.add(bytes);
    }

    /** Bytes read through memory mappings since the store opened. */
    public long mappedBytes() {
        return mapped.sum();
    }

    /** Bytes read with positional reads since the store opened. */
    public long positionalBytes() {
        return positional.sum();
    }
}
