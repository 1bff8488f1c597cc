package io.dledger.broker.store;

/** A log segment: where it starts, how big it is, and its first record's Raft index and timestamp. */
public record SegmentInfo(long basePosition, long size, long firstIndex, long firstTimestamp) {
}
