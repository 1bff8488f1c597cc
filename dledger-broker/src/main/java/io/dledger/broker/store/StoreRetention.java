package io.dledger.broker.store;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention of a {@link MessageStore}: applies a RETAIN entry on the state machine thread. Every queue's
 * minimum offset becomes its first message with a Raft index of at least the entry's {@code firstIndexToKeep}
 * (the same on every replica, whatever its segment size), then the log segments whose records all lie below
 * go, with the index files below the new minimums. A checkpoint with the new minimums is written before any
 * file goes, so recovery never needs what was deleted; it is written even when no file goes, since the
 * RETAIN entry writes no record a restart would replay.
 */
final class StoreRetention {
    private static final Logger LOG = LoggerFactory.getLogger(StoreRetention.class);

    private StoreRetention() {
    }

    /** Every segment of {@code log}, oldest first (reads one record header per segment; any thread). */
    static List<SegmentInfo> segmentInfos(SegmentedLog log) {
        List<SegmentInfo> out = new ArrayList<>();
        for (LogSegment s : log.segments()) {
            if (s.size() < RecordCodec.HEADER_SIZE) {
                out.add(new SegmentInfo(s.basePosition(), s.size(), Long.MAX_VALUE, Long.MAX_VALUE));
                continue;
            }
            RecordCodec.Header h = RecordCodec.readHeader(log.read(s.basePosition(), RecordCodec.HEADER_SIZE), 0);
            out.add(new SegmentInfo(s.basePosition(), s.size(), h.raftIndex(), h.timestamp()));
        }
        return out;
    }

    /** Applies retention up to {@code firstIndexToKeep} to {@code store} (state machine thread). */
    static void retainBefore(MessageStore store, long firstIndexToKeep) {
        StoreData d = store.data();
        List<SegmentInfo> segs = segmentInfos(d.log());
        long cut = segs.get(0).basePosition();
        for (int i = 0; i + 1 < segs.size() && segs.get(i + 1).firstIndex() <= firstIndexToKeep; i++) {
            cut = segs.get(i + 1).basePosition();
        }
        if (store.failure() != null) {
            return;
        }
        long keepFrom = firstPositionFrom(d.log(), segs, cut, firstIndexToKeep);
        boolean moved = false;
        for (TopicQueues t : d.topics().values()) {
            moved |= t.retainFrom(keepFrom);
        }
        if (moved || cut > d.log().startPosition()) {
            store.checkpoints().beforeDeleting();
        }
        if (cut <= d.log().startPosition()) {
            return;
        }
        for (TopicQueues t : d.topics().values()) {
            t.deleteBelowMin();
        }
        long before = d.log().startPosition();
        d.log().deleteBefore(cut);
        LOG.info("retention: deleted log segments [{}, {}) (Raft entries below {})", before, d.log().startPosition(),
                firstIndexToKeep);
    }

    /**
     * Log position of the first record with a Raft index of at least {@code index}, searched from {@code from}
     * (the start of the segment that holds it): that segment's start when the index begins it (the usual case:
     * the leader picks one of its own segment boundaries and the replicas' segments match), else found by
     * reading that segment's records (replicas configured with another segment size).
     */
    private static long firstPositionFrom(SegmentedLog log, List<SegmentInfo> segs, long from, long index) {
        for (SegmentInfo s : segs) {
            if (s.basePosition() == from && s.firstIndex() >= index) {
                return from;
            }
        }
        LogScanner scan = new LogScanner(log, from, log.endPosition());
        while (scan.next()) {
            if (scan.header().raftIndex() >= index) {
                return scan.recordPosition();
            }
        }
        if (scan.stopReason() != null) {
            throw new StoreException("retention cannot read the log from position " + from + ": "
                    + scan.stopReason());
        }
        return log.endPosition();
    }
}
