package io.dledger.broker.store;

import io.dledger.broker.disk.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only message log: a sequence of {@link LogSegment} files covering one contiguous range of
 * global positions. A segment holds at most {@code maxSegmentBytes} unless a single write is larger;
 * writes never span two segments (so the records of one Raft entry always share a file).
 *
 * <p>Reads may go through the segments' memory mappings ({@link #view}), for the newest
 * {@value #MAPPED_SEGMENTS} segments only, so a log of many small segments does not use up the kernel's map
 * entries ({@code vm.max_map_count}).
 *
 * <p>Thread-safety: appends and rolling happen on one writer thread; reads may come from any thread and see
 * every byte below the end position that was published to them. {@link #truncate} is only for a log no reader
 * can reach yet (loading, recovery).
 */
final class SegmentedLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentedLog.class);
    /** Only the newest this many segments are read through memory mappings. */
    static final int MAPPED_SEGMENTS = 256;

    private final Path dir;
    private final long maxSegmentBytes;
    private volatile LogSegment[] segments;
    /** Everything below this position is known to be on disk. */
    private volatile long flushedPosition;

    private SegmentedLog(Path dir, long maxSegmentBytes, LogSegment[] segments) {
        this.dir = dir;
        this.maxSegmentBytes = maxSegmentBytes;
        this.segments = segments;
    }

    /** Opens the segments in {@code dir} (creating the first one when there is none). */
    static SegmentedLog open(Path dir, long maxSegmentBytes) {
        try {
            Files.createDirectories(dir);
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(LogSegment::isSegmentFile).sorted().toList();
            }
            List<LogSegment> opened = new ArrayList<>();
            try {
                for (Path f : files) {
                    opened.add(LogSegment.open(f));
                }
                for (int i = 1; i < opened.size(); i++) {
                    LogSegment prev = opened.get(i - 1);
                    LogSegment cur = opened.get(i);
                    if (prev.endPosition() != cur.basePosition()) {
                        throw new CorruptStoreException("log segments are not contiguous: " + prev.file() + " ends at "
                                + prev.endPosition() + " but " + cur.file() + " starts at " + cur.basePosition());
                    }
                }
                if (opened.isEmpty()) {
                    opened.add(LogSegment.create(dir, 0));
                    DurableFiles.syncDirectory(dir);
                    DurableFiles.syncDirectory(dir.toAbsolutePath().getParent());
                }
            } catch (IOException | RuntimeException e) {
                opened.forEach(LogSegment::close);
                throw e;
            }
            return new SegmentedLog(dir, maxSegmentBytes, opened.toArray(new LogSegment[0]));
        } catch (IOException e) {
            throw new StoreException("cannot open log directory " + dir, e);
        }
    }

    Path dir() {
        return dir;
    }

    long startPosition() {
        return segments[0].basePosition();
    }

    long endPosition() {
        LogSegment[] segs = segments;
        return segs[segs.length - 1].endPosition();
    }

    List<LogSegment> segments() {
        return List.of(segments);
    }

    /**
     * Appends {@code data} as one unit, rolling to a new segment first when it would not fit in the
     * current one. Returns the global position of its first byte.
     */
    long append(ByteBuffer data) {
        LogSegment active = active();
        if (active.size() > 0 && active.size() + data.remaining() > maxSegmentBytes) {
            active = roll();
        }
        return active.append(data);
    }

    private LogSegment roll() {
        LogSegment old = active();
        // the old segment's bytes durable before the next one's name is: a machine crash must not leave a shorter old
        // segment before a durable next one (a gap the log refuses to open with)
        old.flush();
        LogSegment next = LogSegment.create(dir, old.endPosition());
        try {
            // the new name durable before a checkpoint can point into the segment: a machine crash must not lose it
            DurableFiles.syncDirectory(dir);
        } catch (IOException e) {
            next.close();
            throw new StoreException("cannot sync log directory " + dir + " after creating " + next.file(), e);
        }
        LogSegment[] segs = Arrays.copyOf(segments, segments.length + 1);
        segs[segs.length - 1] = next;
        segments = segs;
        if (segs.length > MAPPED_SEGMENTS) {
            segs[segs.length - 1 - MAPPED_SEGMENTS].unmap(); // left the window of mapped segments
        }
        LOG.debug("rolled log to {}", next.file());
        return next;
    }

    private LogSegment active() {
        LogSegment[] segs = segments;
        return segs[segs.length - 1];
    }

    /** Reads {@code size} bytes at global {@code position} into a new heap buffer (flipped for reading). */
    ByteBuffer read(long position, int size) {
        ByteBuffer dst = ByteBuffer.allocate(size);
        readInto(position, dst);
        dst.flip();
        return dst;
    }

    /**
     * The {@code size} bytes at global {@code position} as a view of a segment's memory mapping, or null when they
     * are not in one segment's mapping (see {@link LogSegment#acquireMapping}): then {@link #read} them. The view
     * holds the mapping until it is closed; its bytes are read by copying them out ({@link MappedView#copy}).
     */
    MappedView view(long position, int size) {
        LogSegment[] segs = segments;
        int i = find(segs, position);
        if (size <= 0 || i < 0 || i < segs.length - MAPPED_SEGMENTS || position + size > segs[i].endPosition()) {
            return null;
        }
        LogSegment s = segs[i];
        long at = position - s.basePosition();
        SegmentMapping m = s.acquireMapping(at + size, i < segs.length - 1);
        if (m == null) {
            return null;
        }
        try {
            return new MappedView(m.slice((int) at, size), m);
        } catch (RuntimeException e) {
            m.release();
            throw e;
        }
    }

    /**
     * The segment holding {@code position} is read with positional reads from now on: reading its mapping
     * faulted ({@code cause}, a disk error or a file cut from outside the store).
     */
    void stopMapping(long position, Throwable cause) {
        LogSegment[] segs = segments;
        int i = find(segs, position);
        if (i >= 0) {
            segs[i].stopMapping(cause);
        }
    }

    /** Fills {@code dst} from global {@code position}, crossing segment boundaries, up to the log end. */
    void readInto(long position, ByteBuffer dst) {
        LogSegment[] segs = segments;
        int i = find(segs, position);
        if (i < 0) {
            throw new StoreException("position " + position + " is outside the log ["
                    + segs[0].basePosition() + ", " + segs[segs.length - 1].endPosition() + ")");
        }
        long at = position;
        for (; i < segs.length && dst.hasRemaining(); i++) {
            LogSegment s = segs[i];
            int want = (int) Math.min(dst.remaining(), s.endPosition() - at);
            if (want <= 0) {
                continue;
            }
            ByteBuffer part = dst.slice(dst.position(), want);
            s.read(at, part);
            dst.position(dst.position() + part.position());
            at += part.position();
            if (part.hasRemaining()) {
                return;
            }
        }
    }

    private static int find(LogSegment[] segs, long position) {
        int lo = 0;
        int hi = segs.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            LogSegment s = segs[mid];
            if (position < s.basePosition()) {
                hi = mid - 1;
            } else if (position >= s.endPosition() && mid < segs.length - 1) {
                lo = mid + 1;
            } else {
                return position <= s.endPosition() ? mid : -1;
            }
        }
        return -1;
    }

    /**
     * Removes every byte at or after global {@code position}; later segments are deleted, the newest first and the
     * directory synced before the kept segment is cut, so a crash part-way leaves a log without gaps (a shorter
     * tail that the next recovery cuts again). Only while no reader can reach the log (loading, recovery).
     */
    void truncate(long position) {
        LogSegment[] segs = segments;
        int keep = 0;
        while (keep < segs.length && (segs[keep].basePosition() < position
                || (keep == 0 && segs[keep].basePosition() == position))) {
            keep++;
        }
        if (keep == 0) {
            throw new StoreException("cannot truncate the log to " + position + " before its start "
                    + segs[0].basePosition());
        }
        if (keep < segs.length) {
            for (int i = segs.length - 1; i >= keep; i--) {
                segs[i].closeAndDelete();
            }
            try {
                DurableFiles.syncDirectory(dir);
            } catch (IOException e) {
                throw new StoreException("cannot sync " + dir + " after deleting log segments past " + position, e);
            }
        }
        LogSegment last = segs[keep - 1];
        if (last.endPosition() > position) {
            last.truncate(position - last.basePosition());
        }
        segments = Arrays.copyOf(segs, keep);
        flushedPosition = Math.min(flushedPosition, position);
    }

    /** Deletes every segment that ends at or below {@code position} (never the last one). */
    void deleteBefore(long position) {
        LogSegment[] segs = segments;
        int keepFrom = 0;
        while (keepFrom < segs.length - 1 && segs[keepFrom].endPosition() <= position) {
            keepFrom++;
        }
        if (keepFrom == 0) {
            return;
        }
        segments = Arrays.copyOfRange(segs, keepFrom, segs.length);
        for (int i = 0; i < keepFrom; i++) {
            segs[i].closeAndDelete();
        }
    }

    /**
     * Makes every byte below {@code position} durable. Safe to call from a background thread while the
     * writer appends: bytes below a published position never change.
     */
    void flush(long position) {
        long from = flushedPosition;
        for (LogSegment s : segments) {
            if (s.endPosition() > from && s.basePosition() < position) {
                s.flush();
            }
        }
        flushedPosition = Math.max(from, position);
    }

    @Override
    public void close() {
        for (LogSegment s : segments) {
            s.close();
        }
    }
}
