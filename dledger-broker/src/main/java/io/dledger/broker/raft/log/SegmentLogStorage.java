package io.dledger.broker.raft.log;

import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.codec.LogEntryDecoder;
import com.alipay.sofa.jraft.entity.codec.LogEntryEncoder;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import io.dledger.broker.disk.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * <p>This class is JRaft's entry point: it starts and shuts the log down and drops a prefix (recycling the dropped
 * files), a suffix or everything (a reset), an I/O failure logged and reported to JRaft as false. Reads, and the
 * state they share with the writer, are {@link LogSegments}'; appends are {@link SegmentLogAppender}'s.
 *
 * <p>Thread-safety: JRaft calls the mutators (append, truncate, reset) from its single log disk thread and reads
 * from any thread. The read-write lock is {@link LogSegments}': an append holds it only while it copies a batch
 * into the file and publishes the new last index (readers never see an index whose bytes are not written); the
 * fsync runs outside the lock. Dropping a prefix holds it only while it unlinks the dropped segments from the list
 * (their files are recycled or deleted after, here); dropping a suffix and reset hold it throughout.
 *
 * <p>The newest entries' payloads stay in memory too ({@link RecentEntries}): reading one of them back, as JRaft's
 * replicator does for every request it sends, reads no file.
 */
public final class SegmentLogStorage implements LogStorage {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentLogStorage.class);
    private final Path dir;
    private final boolean sync;
    private final long segmentBytes;
    private final LogSegments segments;
    private LogEntryDecoder decoder;
    private FirstIndexFile firstIndexFile;
    private SegmentPreallocator preallocator;
    private SegmentLogAppender appender;
    private volatile boolean closed;

    public SegmentLogStorage(Path dir, boolean sync, long segmentBytes) {
        this.dir = dir;
        this.sync = sync;
        this.segmentBytes = segmentBytes;
        this.segments = new LogSegments(dir);
    }

    @Override
    public boolean init(LogStorageOptions opts) {
        LogEntryEncoder encoder = opts.getLogEntryCodecFactory().encoder();
        decoder = opts.getLogEntryCodecFactory().decoder();
        try {
            Files.createDirectories(dir);
            firstIndexFile = new FirstIndexFile(dir);
            segments.loaded(new SegmentLogLoader(dir, firstIndexFile, decoder).load(opts.getConfigurationManager()));
            preallocator = new SegmentPreallocator(dir, segmentBytes);
            appender = new SegmentLogAppender(dir, sync, encoder, preallocator, segments);
            LOG.info("Raft log in {}: entries {}..{} in {} segment(s)", dir, segments.firstIndex(),
                    segments.lastIndex(), segments.count());
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot load the Raft log in {}: {}", dir, e.getMessage(), e);
            segments.abandon(e);
            return false;
        }
    }

    @Override
    public long getFirstLogIndex() {
        return segments.firstIndex();
    }

    @Override
    public long getLastLogIndex() {
        return segments.lastIndex();
    }

    @Override
    public LogEntry getEntry(long index) {
        return segments.entry(index, decoder);
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
        SegmentLogAppender a = appender;
        if (a == null) { // init failed or never ran; JRaft does not append then
            LOG.error("cannot append to the Raft log in {}: it was not loaded", dir);
            return 0;
        }
        return a.append(entries);
    }

    @Override
    public boolean truncatePrefix(long firstIndexKept) {
        if (firstIndexKept <= segments.firstIndex()) { // the first index changes only on this (the log disk) thread
            return true;
        }
        try {
            firstIndexFile.write(firstIndexKept); // durable before any segment goes: a crash then loads from it
        } catch (IOException e) {
            LOG.error("cannot drop the entries before {} of the Raft log in {}: {}", firstIndexKept, dir,
                    e.getMessage(), e);
            return false;
        }
        List<RaftLogSegment> dropped = segments.dropBefore(firstIndexKept);
        // no reader can reach these segments any more: recycling or deleting them keeps no reader waiting. Without
        // raft.sync a roll does not sync the segment it leaves, so its end mark could be lost to a power loss with
        // old records behind it: then no file is reused
        int keep = sync ? segments.count() : 0;
        try {
            for (RaftLogSegment segment : dropped) {
                segment.close();
            }
            for (RaftLogSegment segment : dropped) {
                preallocator.recycle(segment.path(), segment.nextIndex(), keep);
            }
            preallocator.trimRecycled(keep);
            if (!dropped.isEmpty()) {
                DurableFiles.syncDirectory(dir);
            }
        } catch (IOException | RuntimeException e) { // the entries are gone; a file left behind is removed on load
            LOG.warn("cannot recycle or delete a dropped segment of the Raft log in {}: {}", dir, e.getMessage(), e);
        }
        return true;
    }

    @Override
    public boolean truncateSuffix(long lastIndexKept) {
        return mutate("drop the entries after " + lastIndexKept, () -> segments.dropAfter(lastIndexKept));
    }

    @Override
    public boolean reset(long nextLogIndex) {
        if (nextLogIndex <= 0) {
            throw new IllegalArgumentException("next log index must be positive: " + nextLogIndex);
        }
        return mutate("reset to " + nextLogIndex, () -> segments.reset(nextLogIndex, firstIndexFile));
    }

    @Override
    public void shutdown() {
        closed = true;
        try {
            segments.close(preallocator);
        } catch (IOException e) {
            LOG.warn("closing the Raft log in {}: {}", dir, e.getMessage());
        }
    }

    /**
     * A truncation or reset (it holds {@link LogSegments}' write lock throughout): an I/O failure is logged and
     * reported to JRaft as false.
     */
    private boolean mutate(String what, IoAction action) {
        try {
            action.run();
            return true;
        } catch (IOException e) {
            LOG.error("cannot {} of the Raft log in {}: {}", what, dir, e.getMessage(), e);
            return false;
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }
}
