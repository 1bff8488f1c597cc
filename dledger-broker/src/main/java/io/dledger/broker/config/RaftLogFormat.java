package io.dledger.broker.config;

import java.util.Locale;

/** How a node keeps its Raft log on disk ({@code raft.log.storage}). */
public enum RaftLogFormat {
    /** Preallocated segment files ({@code io.dledger.broker.raft.log.SegmentLogStorage}). */
    SEGMENTS,
    /** JRaft's RocksDB log storage. */
    ROCKSDB;

    /** The format named by a setting, or null when the name is unknown. */
    static RaftLogFormat parse(String value) {
        if (value == null) {
            return null;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
