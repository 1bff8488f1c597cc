package io.dledger.broker.store;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One file of the message log. The file is named after the global log position of its first byte
 * ({@link #fileName}), holds whole records only, and grows by appends until the log rolls to a new
 * segment.
 *
 * <p>Readers read below {@link #size()} either with positional reads on the shared channel ({@link #read}) or
 * through a shared read-only memory mapping ({@link #acquireMapping}), mapped on first use and mapped again,
 * longer, once the segment has grown by {@link #REMAP_BYTES} or has been sealed (the log rolled past it).
 *
 * <p>Thread-safety: one writer (the state machine thread) appends; any number of readers may read concurrently
 * below {@link #size()}. {@link #truncate} is only for a segment no reader can reach yet (loading, recovery): a
 * reader's mapping of the bytes it cuts would fault.
 */
final class LogSegment extends StoreFile {
    private static final Logger LOG = LoggerFactory.getLogger(LogSegment.class);
    static final String SUFFIX = ".log";
    /** Growth of a segment after which a read past its mapping maps it again, longer; below it, it reads. */
    static final int REMAP_BYTES = 1 << 20;

    private final long basePosition;
    private volatile long size;
    private final Object mappingLock = new Object();
    private volatile SegmentMapping mapping; // written under mappingLock
    private volatile boolean closed; // written under mappingLock
    private volatile boolean unmappable; // written under mappingLock: mapping failed once, read instead from then on

    private LogSegment(Path file) {
        super(file);
        this.basePosition = numberOf(file);
        this.size = sizeOnDisk();
    }

    static String fileName(long basePosition) {
        return StoreFile.fileName(basePosition, SUFFIX);
    }

    static boolean isSegmentFile(Path p) {
        return isNumbered(p, SUFFIX);
    }

    static LogSegment open(Path file) {
        return new LogSegment(file);
    }

    static LogSegment create(Path dir, long basePosition) {
        Path file = dir.resolve(fileName(basePosition));
        if (Files.exists(file)) {
            throw new StoreException("log segment " + file + " already exists");
        }
        return open(file);
    }

    long basePosition() {
        return basePosition;
    }

    long size() {
        return size;
    }

    long endPosition() {
        return basePosition + size;
    }

    /** Appends every remaining byte of {@code data}; returns the global position of the first one. */
    long append(ByteBuffer data) {
        long start = size;
        size = writeFully(data, start);
        return basePosition + start;
    }

    /** Reads bytes starting at the global {@code position} until {@code dst} is full or the segment ends. */
    void read(long position, ByteBuffer dst) {
        readFully(dst, position - basePosition);
    }

    /**
     * A mapping that covers the segment's bytes below {@code end} (relative to the segment's start), held for the
     * caller, who must {@link SegmentMapping#release} it; or null when the caller should read instead: the bytes
     * are past what is mapped and the segment has grown by less than {@link #REMAP_BYTES} since its mapping
     * (unless {@code sealed}: no more appends come), or the segment is closed or too large to map.
     */
    SegmentMapping acquireMapping(long end, boolean sealed) {
        SegmentMapping current = mapping; // without the lock: a hold on a mapping still mapped is always safe
        if (current != null && current.length() >= end && current.acquire()) {
            return current;
        }
        if (closed || unmappable || !remapDue(current, sealed, size)) {
            return null; // nothing to map, or past the mapping and not grown enough to map again
        }
        synchronized (mappingLock) {
            SegmentMapping m = mapping;
            if (m == null || m.length() < end) {
                long now = size;
                if (closed || unmappable || !remapDue(m, sealed, now) || now < end || now > Integer.MAX_VALUE) {
                    return null;
                }
                SegmentMapping longer;
                try {
                    longer = new SegmentMapping(mapReadOnly((int) now));
                } catch (StoreException e) { // e.g. out of address space or map entries: positional reads still work
                    unmappable = true;
                    LOG.warn("cannot map {}; its reads are positional reads from now on: {}", file(), e.toString());
                    return null;
                }
                if (m != null) {
                    m.retire(); // unmapped once its readers are done
                }
                mapping = longer;
                m = longer;
            }
            return m.acquire() ? m : null;
        }
    }

    /** Whether a segment of {@code size} bytes whose mapping is {@code m} (null: none) should be mapped again. */
    private static boolean remapDue(SegmentMapping m, boolean sealed, long size) {
        return m == null || sealed || size - m.length() >= REMAP_BYTES;
    }

    /** Reads of this segment are positional reads from now on: reading its mapping faulted. */
    void stopMapping(Throwable cause) {
        synchronized (mappingLock) {
            if (!unmappable) {
                unmappable = true;
                LOG.error("reading {} through its memory mapping faulted; its reads are positional reads from now on",
                        file(), cause);
            }
        }
        retireMapping();
    }

    /** Drops the segment's own hold on its mapping (unmapped once its readers are done); a later read maps again. */
    void unmap() {
        retireMapping();
    }

    /** Cuts the segment to {@code newSize} bytes; only while no reader can reach it (see the class comment). */
    void truncate(long newSize) {
        synchronized (mappingLock) {
            if (mapping != null && mapping.inUse()) {
                throw new IllegalStateException("truncate of " + file() + " while a reader maps it");
            }
            size = Math.min(size, newSize); // a mapping made from here on stays within the new size
        }
        retireMapping();
        truncateTo(newSize);
        size = newSize;
    }

    private void retireMapping() {
        synchronized (mappingLock) {
            if (mapping != null) {
                mapping.retire();
                mapping = null;
            }
        }
    }

    @Override
    public void close() {
        synchronized (mappingLock) {
            closed = true;
        }
        retireMapping();
        super.close();
    }

    void flush() {
        force();
    }
}
