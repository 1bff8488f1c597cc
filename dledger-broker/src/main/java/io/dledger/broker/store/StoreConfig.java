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
 */
public record StoreConfig(Path dir, long segmentBytes, int indexEntriesPerFile, long checkpointIntervalBytes,
                          long checkpointIntervalMs, long producerExpiryMs, int maxProducers) {

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

        public StoreConfig build() {
            return new StoreConfig(dir, segmentBytes, indexEntriesPerFile, checkpointIntervalBytes,
                    checkpointIntervalMs, producerExpiryMs, maxProducers);
        }
    }
}
