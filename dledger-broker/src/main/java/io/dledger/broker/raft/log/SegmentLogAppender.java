package io.dledger.broker.raft.log;

import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.codec.LogEntryEncoder;
import io.dledger.broker.disk.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends JRaft's entries to the newest segment of the log ({@link LogSegments}): the entries that fit become one
 * write of records ({@link SegmentRecordCodec}) followed by the end mark, and one {@code fdatasync} (with
 * {@code raft.sync}) once the whole batch is written. When the next entry does not fit, the log rolls onto a new
 * segment from the {@link SegmentPreallocator}: the segment it leaves is synced first, and the directory after
 * the new file is named, so there is no hole after a power loss.
 *
 * <p>Ordering: the entries must continue the log (the first one at the last index + 1, the others in sequence);
 * one out of sequence fails the append. With {@code raft.sync}, the first record of each write is flagged
 * {@link SegmentRecordCodec#FLAG_AFTER_SYNC}: everything before it in its segment was synced (by the last append,
 * a truncation, the roll or the load).
 *
 * <p>Thread-safety: JRaft's log disk thread only; readers see what {@link LogSegments#publish} published.
 */
final class SegmentLogAppender {
    // lines logged here keep the logger name they had before the append path moved out of SegmentLogStorage
    private static final Logger LOG = LoggerFactory.getLogger(SegmentLogStorage.class);

    private final Path dir;
    private final boolean sync;
    private final LogEntryEncoder encoder;
    private final SegmentPreallocator preallocator;
    private final LogSegments segments;

    SegmentLogAppender(Path dir, boolean sync, LogEntryEncoder encoder, SegmentPreallocator preallocator,
                       LogSegments segments) {
        this.dir = dir;
        this.sync = sync;
        this.encoder = encoder;
        this.preallocator = preallocator;
        this.segments = segments;
    }

    /**
     * Appends {@code entries} and syncs them (with {@code raft.sync}); a failure is logged.
     *
     * @return how many entries JRaft may count as stored: all of them, or after a failure those that were synced
     *         (or, without {@code raft.sync}, written) before it
     */
    int append(List<LogEntry> entries) {
        int written = 0;
        int durable = 0; // what JRaft may count as stored: synced (or, without raft.sync, written)
        try {
            RaftLogSegment touched = null;
            while (written < entries.size()) {
                byte[] first = encoder.encode(entries.get(written));
                RaftLogSegment seg = writableSegment(SegmentRecordCodec.recordBytes(first.length));
                if (touched != null && touched != seg) {
                    durable = written; // writableSegment synced the segment it rolled away from
                }
                touched = seg;
                written += writeInto(seg, entries, written, first);
            }
            if (touched != null) {
                force(touched);
            }
            return written;
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot append to the Raft log in {}: {}", dir, e.getMessage(), e);
            return durable;
        }
    }

    private void force(RaftLogSegment seg) throws IOException {
        if (sync) {
            seg.force();
        }
    }

    /** Encodes entries from {@code from} that fit into {@code seg}, writes them, publishes them; returns how many. */
    private int writeInto(RaftLogSegment seg, List<LogEntry> entries, int from, byte[] firstPayload)
            throws IOException {
        long expected = segments.lastIndex() + 1;
        List<byte[]> payloads = new ArrayList<>();
        long bytes = 0;
        for (int i = from; i < entries.size(); i++) {
            LogEntry e = entries.get(i);
            if (e.getId().getIndex() != expected + (i - from)) {
                throw new IllegalStateException("append of index " + e.getId().getIndex() + " where "
                        + (expected + (i - from)) + " is next");
            }
            byte[] payload = i == from ? firstPayload : encoder.encode(e);
            if (!payloads.isEmpty() && !seg.fits(bytes + SegmentRecordCodec.recordBytes(payload.length))) {
                break;
            }
            payloads.add(payload);
            bytes += SegmentRecordCodec.recordBytes(payload.length);
        }
        ByteBuffer buf = ByteBuffer.allocate((int) bytes + SegmentRecordCodec.END_MARK_BYTES); // the mark stays zeros
        long[] recordStarts = new long[payloads.size()];
        for (int k = 0; k < payloads.size(); k++) {
            LogEntry e = entries.get(from + k);
            recordStarts[k] = buf.position();
            int flags = e.getType() == EntryType.ENTRY_TYPE_CONFIGURATION ? SegmentRecordCodec.FLAG_CONFIGURATION : 0;
            if (k == 0 && sync) { // everything before it in this segment was synced: by the last append,
                flags |= SegmentRecordCodec.FLAG_AFTER_SYNC; // a truncation, the roll or the load
            }
            SegmentRecordCodec.encode(buf, e.getId().getIndex(), flags, payloads.get(k));
        }
        buf.clear(); // the records and the end mark
        segments.publish(seg, expected, buf, recordStarts, payloads);
        return payloads.size();
    }

    /** The newest segment if the entry fits, otherwise a new one starting at the entry's index. */
    private RaftLogSegment writableSegment(int need) throws IOException {
        RaftLogSegment last = segments.newest();
        long next = segments.lastIndex() + 1;
        if (last != null && last.nextIndex() == next && last.fits(need)) {
            return last;
        }
        if (last != null) {
            force(last); // its data is on disk before the next segment's name is: no hole after a power loss
        }
        Path file = RaftLogSegment.fileName(dir, next);
        preallocator.take(file, next, need);
        DurableFiles.syncDirectory(dir);
        RaftLogSegment seg = RaftLogSegment.open(file); // zeros or a prepared recycled file: empty, nothing to recover
        segments.add(seg);
        return seg;
    }
}
