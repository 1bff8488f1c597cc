package io.dledger.broker.raft.log;

import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.codec.LogEntryDecoder;
import io.dledger.broker.disk.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live segments of one Raft log directory in index order (contiguous: each starts where the previous one
 * ends), the log's first and last index, and the newest entries' payloads ({@link RecentEntries}): the state that
 * JRaft's log disk thread changes and readers on any thread see, with the read-write lock that guards it. An
 * entry is looked up by its index: in {@link RecentEntries}, else by a binary search over the base indexes.
 *
 * <p>Thread-safety and ordering: one thread changes it (JRaft's log disk thread, through {@link SegmentLogStorage}
 * and {@link SegmentLogAppender}; the initialising thread before it), so that thread reads the list and the
 * indexes without the lock; {@link #entry} reads under the read lock. An append ({@link #publish}) holds the write
 * lock only while it copies a batch into the file and publishes the new last index (readers never see an index
 * whose bytes are not written); the fsync runs outside the lock. Adding a segment and dropping a prefix hold it
 * only while they change the list (the dropped segments' files are recycled or deleted after, by the caller);
 * dropping a suffix, a reset and closing hold it throughout. The first and last index are volatile, read without
 * the lock.
 */
final class LogSegments {
    // lines logged here keep the logger name they had before this state moved out of SegmentLogStorage
    private static final Logger LOG = LoggerFactory.getLogger(SegmentLogStorage.class);

    private final Path dir;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final List<RaftLogSegment> segments = new ArrayList<>();
    private final RecentEntries recent = new RecentEntries(); // under the lock
    private volatile long firstIndex = 1;
    private volatile long lastIndex;

    LogSegments(Path dir) {
        this.dir = dir;
    }

    /** Takes over the segments and indexes {@link SegmentLogLoader} found; at start, before any other call. */
    void loaded(SegmentLogLoader.Loaded loaded) {
        segments.addAll(loaded.segments());
        firstIndex = loaded.firstIndex();
        lastIndex = loaded.lastIndex();
    }

    long firstIndex() {
        return firstIndex;
    }

    long lastIndex() {
        return lastIndex;
    }

    /** How many segments there are; for the changing thread. */
    int count() {
        return segments.size();
    }

    /** The newest segment, null when there is none; for the changing thread. */
    RaftLogSegment newest() {
        return segments.isEmpty() ? null : segments.get(segments.size() - 1);
    }

    /** The entry at {@code index}; null when it is outside the log, after {@link #close}, or unreadable (logged). */
    LogEntry entry(long index, LogEntryDecoder decoder) {
        lock.readLock().lock();
        try {
            if (index < firstIndex || index > lastIndex || segments.isEmpty()) { // empty: shut down
                return null;
            }
            byte[] kept = recent.get(index);
            if (kept != null) { // the newest entries, read back by the replicator for their terms: no file read
                return decoder.decode(kept.clone());
            }
            RaftLogSegment seg = segmentOf(index);
            SegmentRecordCodec.Record r = seg.read(index);
            if (r == null) {
                LOG.error("Raft log entry {} in {} fails its CRC", index, seg.path());
                return null;
            }
            return decoder.decode(r.payload());
        } catch (IOException e) {
            LOG.error("cannot read Raft log entry {}: {}", index, e.getMessage(), e);
            return null;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Adds a new newest segment (empty, starting at the last index + 1). */
    void add(RaftLogSegment seg) {
        lock.writeLock().lock();
        try {
            segments.add(seg);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Writes already-encoded records, numbered from the last index + 1 ({@link RaftLogSegment#write}), into
     * {@code seg}, the newest segment, keeps their payloads and publishes the new last index.
     */
    void publish(RaftLogSegment seg, long first, ByteBuffer records, long[] recordStarts, List<byte[]> payloads)
            throws IOException {
        if (first != lastIndex + 1) { // the appender checked the entries against this index: one writer only
            throw new IllegalStateException("records from index " + first + " where " + (lastIndex + 1) + " is next");
        }
        lock.writeLock().lock(); // positions grow: readers must not see the array mid-copy
        try {
            seg.write(records, recordStarts, payloads.size());
            for (int k = 0; k < payloads.size(); k++) {
                recent.put(first + k, payloads.get(k));
            }
            lastIndex = first + payloads.size() - 1;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Moves the first index to {@code firstIndexKept} and unlinks the segments wholly before it; the caller has
     * recorded the new first index ({@link FirstIndexFile}) and closes, recycles or deletes what this returns.
     */
    List<RaftLogSegment> dropBefore(long firstIndexKept) {
        List<RaftLogSegment> dropped = new ArrayList<>();
        lock.writeLock().lock();
        try {
            firstIndex = firstIndexKept;
            while (!segments.isEmpty() && segments.get(0).nextIndex() <= firstIndexKept) {
                dropped.add(segments.remove(0));
            }
            if (lastIndex < firstIndexKept - 1) {
                lastIndex = firstIndexKept - 1;
            }
        } finally {
            lock.writeLock().unlock();
        }
        return dropped;
    }

    /** Drops every entry after {@code lastIndexKept}: deletes the segments after it and cuts the newest one. */
    void dropAfter(long lastIndexKept) throws IOException {
        lock.writeLock().lock();
        try {
            recent.dropAfter(lastIndexKept);
            boolean deleted = false;
            while (!segments.isEmpty() && segments.get(segments.size() - 1).baseIndex() > lastIndexKept) {
                segments.remove(segments.size() - 1).delete();
                deleted = true;
            }
            if (deleted) {
                DurableFiles.syncDirectory(dir); // a deleted segment must not come back after a machine crash
            }
            if (!segments.isEmpty()) {
                segments.get(segments.size() - 1).truncateAfter(lastIndexKept);
            }
            lastIndex = Math.max(firstIndex - 1, Math.min(lastIndex, lastIndexKept));
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Deletes every segment and records {@code nextLogIndex} as the first index in {@code firstIndexFile}. */
    void reset(long nextLogIndex, FirstIndexFile firstIndexFile) throws IOException {
        lock.writeLock().lock();
        try {
            // newest first, then the first index: a crash in between leaves a prefix of the old log, which
            // JRaft resets again when it loads the snapshot
            recent.clear();
            while (!segments.isEmpty()) {
                segments.remove(segments.size() - 1).delete();
            }
            DurableFiles.syncDirectory(dir);
            firstIndexFile.write(nextLogIndex);
            firstIndex = nextLogIndex;
            lastIndex = nextLogIndex - 1;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * At shutdown: closes {@code preallocator} (null when none was made) and then every segment, and forgets the
     * segments, so that later reads find nothing.
     */
    void close(SegmentPreallocator preallocator) throws IOException {
        lock.writeLock().lock();
        try {
            if (preallocator != null) {
                preallocator.close();
            }
            for (RaftLogSegment s : segments) {
                s.close();
            }
            segments.clear();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** After a failed start: closes every segment, adding what fails to close to {@code failure}, and forgets them. */
    void abandon(Exception failure) {
        for (RaftLogSegment s : segments) {
            try {
                s.close();
            } catch (IOException closing) {
                failure.addSuppressed(closing);
            }
        }
        segments.clear();
    }

    private RaftLogSegment segmentOf(long index) {
        int lo = 0;
        int hi = segments.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segments.get(mid).baseIndex() <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return segments.get(lo);
    }
}
