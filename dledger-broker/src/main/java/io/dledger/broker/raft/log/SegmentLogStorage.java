package io.dledger.broker.raft.log;

import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.codec.LogEntryDecoder;
import com.alipay.sofa.jraft.entity.codec.LogEntryEncoder;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import io.dledger.broker.disk.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JRaft's log on preallocated segment files ({@link RaftLogSegment}) instead of RocksDB: one sequential write and one
 * {@code fdatasync} per batch the log disk thread hands over (two, plus a directory fsync, when the batch rolls
 * into a new segment), no memtable, no WAL-then-SST second write.
 *
 * <p>Layout of the directory: {@code <baseIndex>.seg} segments (contiguous indexes, each segment starting where
 * the previous one ends), the {@link FirstIndexFile} (entries below it are gone after a prefix truncation),
 * possibly the next zero-filled segment, and segment files a prefix truncation dropped, waiting to become new
 * segments ({@link RecycledSegments}, never more of them than live segments). {@link SegmentLogLoader} checks the
 * segments at start.
 *
 * <p>Thread-safety: JRaft calls the mutators (append, truncate, reset) from its single log disk thread and reads
 * from any thread. An append holds the write lock only while it copies a batch into the file and publishes the
 * new last index (readers never see an index whose bytes are not written); the fsync runs outside the lock.
 * Dropping a prefix holds it only while it unlinks the dropped segments from its list (their files are recycled
 * or deleted after);
 * dropping a suffix and reset hold it throughout.
 *
 * <p>The newest entries' payloads stay in memory too ({@link RecentEntries}): reading one of them back, as JRaft's
 * replicator does for every request it sends, reads no file.
 */
public final class SegmentLogStorage implements LogStorage {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentLogStorage.class);
    private final Path dir;
    private final boolean sync;
    private final long segmentBytes;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final List<RaftLogSegment> segments = new ArrayList<>();
    private final RecentEntries recent = new RecentEntries(); // under the lock
    private LogEntryEncoder encoder;
    private LogEntryDecoder decoder;
    private FirstIndexFile firstIndexFile;
    private SegmentPreallocator preallocator;
    private volatile long firstIndex = 1;
    private volatile long lastIndex;
    private volatile boolean closed;

    public SegmentLogStorage(Path dir, boolean sync, long segmentBytes) {
        this.dir = dir;
        this.sync = sync;
        this.segmentBytes = segmentBytes;
    }

    @Override
    public boolean init(LogStorageOptions opts) {
        encoder = opts.getLogEntryCodecFactory().encoder();
        decoder = opts.getLogEntryCodecFactory().decoder();
        try {
            Files.createDirectories(dir);
            firstIndexFile = new FirstIndexFile(dir);
            SegmentLogLoader.Loaded loaded = new SegmentLogLoader(dir, firstIndexFile, decoder)
                    .load(opts.getConfigurationManager());
            segments.addAll(loaded.segments());
            firstIndex = loaded.firstIndex();
            lastIndex = loaded.lastIndex();
            preallocator = new SegmentPreallocator(dir, segmentBytes);
            LOG.info("Raft log in {}: entries {}..{} in {} segment(s)", dir, firstIndex, lastIndex, segments.size());
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot load the Raft log in {}: {}", dir, e.getMessage(), e);
            for (RaftLogSegment s : segments) {
                try {
                    s.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            segments.clear();
            return false;
        }
    }

    @Override
    public long getFirstLogIndex() {
        return firstIndex;
    }

    @Override
    public long getLastLogIndex() {
        return lastIndex;
    }

    @Override
    public LogEntry getEntry(long index) {
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
            RaftLogSegment.Record r = seg.read(index);
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

    @Override
    public long getTerm(long index) {
        LogEntry e = getEntry(index);
        return e == null ? 0 : e.getId().getTerm();
    }

    @Override
    public boolean appendEntry(LogEntry entry) {
        return appendEntries(List.of(entry)) == 1;
    }

    @Override
    public int appendEntries(List<LogEntry> entries) {
        if (closed) {
            LOG.warn("append of {} entries after the Raft log in {} was shut down", entries.size(), dir);
            return 0;
        }
        int written = 0;
        int durable = 0; // what JRaft may count as stored: synced (or, without raft.sync, written)
        try {
            RaftLogSegment touched = null;
            while (written < entries.size()) {
                byte[] first = encoder.encode(entries.get(written));
                RaftLogSegment seg = writableSegment(RaftLogSegment.recordBytes(first.length));
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
    private int writeInto(RaftLogSegment seg, List<LogEntry> entries, int from, byte[] firstPayload) throws IOException {
        long expected = lastIndex + 1;
        List<byte[]> payloads = new ArrayList<>();
        long bytes = 0;
        for (int i = from; i < entries.size(); i++) {
            LogEntry e = entries.get(i);
            if (e.getId().getIndex() != expected + (i - from)) {
                throw new IllegalStateException("append of index " + e.getId().getIndex() + " where "
                        + (expected + (i - from)) + " is next");
            }
            byte[] payload = i == from ? firstPayload : encoder.encode(e);
            if (!payloads.isEmpty() && !seg.fits(bytes + RaftLogSegment.recordBytes(payload.length))) {
                break;
            }
            payloads.add(payload);
            bytes += RaftLogSegment.recordBytes(payload.length);
        }
        ByteBuffer buf = ByteBuffer.allocate((int) bytes + RaftLogSegment.END_MARK_BYTES); // the mark stays zeros
        long[] offsets = new long[payloads.size()];
        for (int k = 0; k < payloads.size(); k++) {
            LogEntry e = entries.get(from + k);
            offsets[k] = buf.position();
            int flags = e.getType() == EntryType.ENTRY_TYPE_CONFIGURATION ? RaftLogSegment.FLAG_CONFIGURATION : 0;
            if (k == 0 && sync) { // everything before it in this segment was synced: by the last append,
                flags |= RaftLogSegment.FLAG_AFTER_SYNC; // a truncation, the roll or the load
            }
            RaftLogSegment.encode(buf, e.getId().getIndex(), flags, payloads.get(k));
        }
        buf.clear(); // the records and the end mark
        lock.writeLock().lock(); // positions grow: readers must not see the array mid-copy
        try {
            seg.write(buf, offsets, payloads.size());
            for (int k = 0; k < payloads.size(); k++) {
                recent.put(expected + k, payloads.get(k));
            }
            lastIndex = expected + payloads.size() - 1;
        } finally {
            lock.writeLock().unlock();
        }
        return payloads.size();
    }

    /** The newest segment if the entry fits, otherwise a new one starting at the entry's index. */
    private RaftLogSegment writableSegment(int need) throws IOException {
        RaftLogSegment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        if (last != null && last.nextIndex() == lastIndex + 1 && last.fits(need)) {
            return last;
        }
        if (last != null) {
            force(last); // its data is on disk before the next segment's name is: no hole after a power loss
        }
        Path file = RaftLogSegment.fileName(dir, lastIndex + 1);
        preallocator.take(file, lastIndex + 1, need);
        syncDirectory();
        RaftLogSegment seg = RaftLogSegment.open(file); // zeros or a prepared recycled file: empty, nothing to recover
        lock.writeLock().lock();
        try {
            segments.add(seg);
        } finally {
            lock.writeLock().unlock();
        }
        return seg;
    }

    @Override
    public boolean truncatePrefix(long firstIndexKept) {
        if (firstIndexKept <= firstIndex) { // firstIndex changes only on this (the log disk) thread
            return true;
        }
        List<RaftLogSegment> dropped = new ArrayList<>();
        try {
            firstIndexFile.write(firstIndexKept); // durable before any segment goes: a crash then loads from it
        } catch (IOException e) {
            LOG.error("cannot drop the entries before {} of the Raft log in {}: {}", firstIndexKept, dir,
                    e.getMessage(), e);
            return false;
        }
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
        // no reader can reach these segments any more: recycling or deleting them keeps no reader waiting. Without
        // raft.sync a roll does not sync the segment it leaves, so its end mark could be lost to a power loss with
        // old records behind it: then no file is reused
        int keep = sync ? segments.size() : 0;
        try {
            for (RaftLogSegment segment : dropped) {
                segment.close();
            }
            for (RaftLogSegment segment : dropped) {
                preallocator.recycle(segment.path(), segment.nextIndex(), keep);
            }
            preallocator.trimRecycled(keep);
            if (!dropped.isEmpty()) {
                syncDirectory();
            }
        } catch (IOException | RuntimeException e) { // the entries are gone; a file left behind is removed on load
            LOG.warn("cannot recycle or delete a dropped segment of the Raft log in {}: {}", dir, e.getMessage(), e);
        }
        return true;
    }

    @Override
    public boolean truncateSuffix(long lastIndexKept) {
        return mutate("drop the entries after " + lastIndexKept, () -> {
            recent.dropAfter(lastIndexKept);
            boolean deleted = false;
            while (!segments.isEmpty() && segments.get(segments.size() - 1).baseIndex() > lastIndexKept) {
                segments.remove(segments.size() - 1).delete();
                deleted = true;
            }
            if (deleted) {
                syncDirectory(); // a deleted segment must not come back after a machine crash
            }
            if (!segments.isEmpty()) {
                segments.get(segments.size() - 1).truncateAfter(lastIndexKept);
            }
            lastIndex = Math.max(firstIndex - 1, Math.min(lastIndex, lastIndexKept));
        });
    }

    @Override
    public boolean reset(long nextLogIndex) {
        if (nextLogIndex <= 0) {
            throw new IllegalArgumentException("next log index must be positive: " + nextLogIndex);
        }
        return mutate("reset to " + nextLogIndex, () -> {
            // newest first, then the first index: a crash in between leaves a prefix of the old log, which
            // JRaft resets again when it loads the snapshot
            recent.clear();
            while (!segments.isEmpty()) {
                segments.remove(segments.size() - 1).delete();
            }
            syncDirectory();
            firstIndexFile.write(nextLogIndex);
            firstIndex = nextLogIndex;
            lastIndex = nextLogIndex - 1;
        });
    }

    @Override
    public void shutdown() {
        closed = true;
        lock.writeLock().lock();
        try {
            if (preallocator != null) {
                preallocator.close();
            }
            for (RaftLogSegment s : segments) {
                s.close();
            }
            segments.clear();
        } catch (IOException e) {
            LOG.warn("closing the Raft log in {}: {}", dir, e.getMessage());
        } finally {
            lock.writeLock().unlock();
        }
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

    private void syncDirectory() throws IOException {
        DurableFiles.syncDirectory(dir);
    }

    /** A truncation or reset: under the write lock; an I/O failure is logged and reported to JRaft as false. */
    private boolean mutate(String what, IoAction action) {
        lock.writeLock().lock();
        try {
            action.run();
            return true;
        } catch (IOException e) {
            LOG.error("cannot {} of the Raft log in {}: {}", what, dir, e.getMessage(), e);
            return false;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }
}
