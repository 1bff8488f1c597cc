package io.dledger.broker.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * The index of one queue: queue offset -> (log position, record size), kept in {@link IndexFile}s of
 * {@code entriesPerFile} entries each, named after their first offset (a multiple of
 * {@code entriesPerFile}).
 *
 * <p>Offsets in [{@link #minOffset()}, {@link #nextOffset()}) are readable. The writer appends entries
 * with {@link #append} and makes them visible with {@link #publish} once the log records they point to
 * are written.
 *
 * <p>Thread-safety: one writer thread (append, publish, truncate); readers may call {@link #read},
 * {@link #minOffset()} and {@link #nextOffset()} from any thread.
 */
final class QueueIndex implements AutoCloseable {
    private final Path dir;
    private final int entriesPerFile;
    private final ConcurrentSkipListMap<Long, IndexFile> files = new ConcurrentSkipListMap<>();
    private volatile long minOffset;
    private volatile long nextOffset;
    private long writeOffset;
    private ByteBuffer pending = ByteBuffer.allocate(64 * IndexFile.ENTRY_SIZE);

    private QueueIndex(Path dir, int entriesPerFile, long minOffset, long nextOffset) {
        this.dir = dir;
        this.entriesPerFile = entriesPerFile;
        this.minOffset = minOffset;
        this.nextOffset = nextOffset;
        this.writeOffset = nextOffset;
    }

    /**
     * Opens the index of a queue whose valid range is [minOffset, nextOffset): entries past nextOffset
     * are dropped; missing entries below nextOffset mean the index is corrupt.
     */
    static QueueIndex open(Path dir, int entriesPerFile, long minOffset, long nextOffset) {
        QueueIndex index = new QueueIndex(dir, entriesPerFile, minOffset, nextOffset);
        try {
            Files.createDirectories(dir);
            List<Path> existing;
            try (Stream<Path> s = Files.list(dir)) {
                existing = s.filter(IndexFile::isIndexFile).sorted().toList();
            }
            for (Path p : existing) {
                checkLayout(p, entriesPerFile);
            }
            for (Path p : existing) {
                long base = IndexFile.baseOf(p);
                IndexFile f = IndexFile.open(dir, base);
                if (base >= nextOffset || base + entriesPerFile <= minOffset) {
                    f.closeAndDelete(); // holds no entry of the valid range
                } else {
                    index.files.put(base, f);
                }
            }
            index.truncateTo(nextOffset);
            index.sanityCheck();
            return index;
        } catch (IOException e) {
            index.close();
            throw new StoreException("cannot open queue index " + dir, e);
        } catch (RuntimeException e) {
            index.close();
            throw e;
        }
    }

    /**
     * Index files written with another number of entries per file ({@code store.index.entries.per.file} changed, or a
     * snapshot from a node configured otherwise) do not fit this one's: the index is then rebuilt from the log.
     */
    private static void checkLayout(Path file, int entriesPerFile) throws IOException {
        long base = IndexFile.baseOf(file);
        long entries = Files.size(file) / IndexFile.ENTRY_SIZE;
        if (base % entriesPerFile != 0 || entries > entriesPerFile) {
            throw new CorruptStoreException("index file " + file + " (" + entries + " entries from offset " + base
                    + ") was not written with " + entriesPerFile + " entries per file");
        }
    }

    private void sanityCheck() {
        if (nextOffset == minOffset) {
            return;
        }
        Map.Entry<Long, IndexFile> last = files.floorEntry(nextOffset - 1);
        if (last == null || last.getKey() + last.getValue().entryCount() < nextOffset) {
            throw new CorruptStoreException("index " + dir + " lacks entries below offset " + nextOffset);
        }
        ByteBuffer e = read(nextOffset - 1, 1);
        if (e.getInt(8) <= 0) {
            throw new CorruptStoreException("index " + dir + " has an empty entry at offset " + (nextOffset - 1));
        }
    }

    long minOffset() {
        return minOffset;
    }

    long nextOffset() {
        return nextOffset;
    }

    /** Offset the next {@link #append} must use (ahead of {@link #nextOffset()} until published). */
    long writeOffset() {
        return writeOffset;
    }

    void append(long offset, long position, int size) {
        if (offset != writeOffset) {
            throw new IllegalStateException("index " + dir + " expects offset " + writeOffset + ", got " + offset);
        }
        if (pending.remaining() < IndexFile.ENTRY_SIZE) {
            ByteBuffer bigger = ByteBuffer.allocate(pending.capacity() * 2);
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        pending.putLong(position).putInt(size);
        writeOffset++;
    }

    /** Writes the appended entries to the index files and makes them readable. */
    void publish() {
        if (writeOffset == nextOffset) {
            return;
        }
        pending.flip();
        long offset = nextOffset;
        while (pending.hasRemaining()) {
            long base = offset - Math.floorMod(offset, entriesPerFile);
            IndexFile f = files.computeIfAbsent(base, b -> IndexFile.open(dir, b));
            int n = (int) Math.min(pending.remaining() / IndexFile.ENTRY_SIZE, base + entriesPerFile - offset);
            ByteBuffer part = pending.slice(pending.position(), n * IndexFile.ENTRY_SIZE);
            f.write(offset, part);
            pending.position(pending.position() + n * IndexFile.ENTRY_SIZE);
            offset += n;
        }
        pending.clear();
        nextOffset = writeOffset;
    }

    /**
     * Returns up to {@code maxCount} entries from {@code offset} (clamped to the published range), as a
     * buffer of {@link IndexFile#ENTRY_SIZE}-byte entries ready for reading.
     */
    ByteBuffer read(long offset, int maxCount) {
        long end = Math.min(nextOffset, offset + maxCount);
        int count = (int) Math.max(0, end - offset);
        ByteBuffer dst = ByteBuffer.allocate(count * IndexFile.ENTRY_SIZE);
        long at = offset;
        while (at < end) {
            Map.Entry<Long, IndexFile> e = files.floorEntry(at);
            if (e == null) {
                throw new StoreException("offset " + at + " of " + dir + " has no index file");
            }
            int n = (int) Math.min(end - at, e.getKey() + entriesPerFile - at);
            e.getValue().read(at, n, dst);
            at += n;
        }
        dst.flip();
        return dst;
    }

    /**
     * Retention: the first offset whose record is at or after log position {@code logStart} becomes the
     * queue's minimum. The index files wholly below it stay until {@link #deleteBelowMin} (after a checkpoint
     * holds the new minimum). Writer thread. Returns whether the minimum moved.
     */
    boolean retainFrom(long logStart) {
        long lo = minOffset;
        long hi = nextOffset;
        while (lo < hi) { // positions grow with offsets: binary search the first kept one
            long mid = (lo + hi) >>> 1;
            if (read(mid, 1).getLong(0) < logStart) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo > minOffset) {
            minOffset = lo;
            return true;
        }
        return false;
    }

    /** Deletes the index files wholly below the minimum offset. Writer thread. */
    void deleteBelowMin() {
        for (Map.Entry<Long, IndexFile> e : files.headMap(minOffset, true).entrySet()) {
            if (e.getKey() + entriesPerFile <= minOffset) {
                files.remove(e.getKey()).closeAndDelete();
            }
        }
    }

    /** Deletes every index file (the topic was deleted). */
    void deleteAll() {
        files.values().forEach(IndexFile::closeAndDelete);
        files.clear();
        try {
            java.nio.file.Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new StoreException("cannot delete " + dir, e);
        }
    }

    /** Drops every entry at or after {@code offset} (recovery only). */
    void truncateTo(long offset) {
        for (Long base : files.tailMap(offset, true).keySet()) {
            files.remove(base).closeAndDelete();
        }
        Map.Entry<Long, IndexFile> last = files.floorEntry(offset);
        if (last != null && last.getKey() + last.getValue().entryCount() > offset) {
            last.getValue().truncate(offset);
        }
        pending.clear();
        nextOffset = Math.min(nextOffset, offset);
        writeOffset = nextOffset;
    }

    /** Files holding entries below {@code offset}. */
    java.util.List<Path> files(long offset) {
        return files.headMap(offset, false).values().stream().map(IndexFile::file).toList();
    }

    /** Durably writes every published entry. */
    void flush() {
        for (IndexFile f : files.values()) {
            f.flush();
        }
    }

    @Override
    public void close() {
        files.values().forEach(IndexFile::close);
    }
}
