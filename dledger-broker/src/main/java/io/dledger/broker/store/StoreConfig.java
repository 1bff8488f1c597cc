package io.dledger.broker.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of a {@link MessageStore}. Immutable; build with {@link #builder(Path)}.
 *
 * @param dir                      directory the store owns (log/, index/, checkpoint)
 * @param segmentBytes             a log segment rolls when the next entry would take it past this size
 * @param indexEntriesPerFile      entries per queue index file
 * @param checkpointIntervalBytes  a checkpoint is written after this many log bytes
 * @param checkpointIntervalMs     ... or after this much time with new writes
 * @param producerExpiryMs         idempotent producers idle this long (store time) are forgotten
 * @param maxProducers             at most this many idempotent producers are remembered
 * @param mappedReadBytes          records within this many bytes of the log's end are read through memory
 *                                 mappings, older ones with positional reads ({@link Builder#mappedReadBytes})
 */
public record StoreConfig(Path dir, long segmentBytes, int indexEntriesPerFile, long checkpointIntervalBytes,
                          long checkpointIntervalMs, long producerExpiryMs, int maxProducers, long mappedReadBytes) {

    public static final long DEFAULT_SEGMENT_BYTES = 128L * 1024 * 1024;
    public static final int DEFAULT_INDEX_ENTRIES_PER_FILE = 1 << 20;

    public StoreConfig {
        Objects.requireNonNull(dir, "dir");
        if (segmentBytes < 4096) {
            throw new IllegalArgumentException("segment size must be at least 4096 bytes, got " + segmentBytes);
        }
        if (indexEntriesPerFile < 16) {
            throw new IllegalArgumentException("index entries per file must be at least 16");
        }
        if (maxProducers < 1) {
            throw new IllegalArgumentException("max producers must be positive");
        }
        if (mappedReadBytes < 0) {
            throw new IllegalArgumentException("mapped read bytes must not be negative");
        }
    }

    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Builder with production defaults. */
    public static final class Builder {
        private final Path dir;
        private long segmentBytes = DEFAULT_SEGMENT_BYTES;
        private int indexEntriesPerFile = DEFAULT_INDEX_ENTRIES_PER_FILE;
        private long checkpointIntervalBytes = 64L * 1024 * 1024;
        private long checkpointIntervalMs = 10_000;
        private long producerExpiryMs = 12L * 3600 * 1000;
        private int maxProducers = 5_000;
        private long mappedReadBytes = Long.MAX_VALUE;

        private Builder(Path dir) {
            this.dir = dir;
        }

        public Builder segmentBytes(long v) {
            segmentBytes = v;
            return this;
        }

        public Builder indexEntriesPerFile(int v) {
            indexEntriesPerFile = v;
            return this;
        }

        public Builder checkpointIntervalBytes(long v) {
            checkpointIntervalBytes = v;
            return this;
        }

        public Builder checkpointIntervalMs(long v) {
            checkpointIntervalMs = v;
            return this;
        }

        public Builder producerExpiryMs(long v) {
            producerExpiryMs = v;
            return this;
        }

        public Builder maxProducers(int v) {
            maxProducers = v;
            return this;
        }

        /**
         * Reads of records within this many bytes of the log's end go through the segments' memory mappings;
         * older records, likely out of the page cache, are read with positional reads (default: all mapped). A
         * page fault that waits for the disk inside a mapped read holds up every safepoint of the JVM; a positional
         * read waits outside Java code.
         */
        public Builder mappedReadBytes(long v) {
            mappedReadBytes = v;
            return this;
        }

        public StoreConfig build() {
            return new StoreConfig(dir, segmentBytes, indexEntriesPerFile, checkpointIntervalBytes,
                    checkpointIntervalMs, producerExpiryMs, maxProducers, mappedReadBytes);
        }
    }
}
