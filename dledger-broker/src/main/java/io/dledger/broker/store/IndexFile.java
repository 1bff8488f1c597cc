package io.dledger.broker.store;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One file of a queue index: entry {@code i} of the file describes queue offset {@code base + i} and
 * lives at byte {@code i * ENTRY_SIZE}. Byte format of an entry (big-endian):
 * <pre>
 * pos    size field
 *  0      8   position   global log position of the message record
 *  8      4   size       length of the record in bytes (never 0 for a written entry)
 * </pre>
 * Thread-safety: one writer; concurrent positional reads of entries the writer has published.
 */
final class IndexFile extends StoreFile {
    static final int ENTRY_SIZE = 12;
    static final String SUFFIX = ".idx";

    private final long base;
    private volatile boolean dirty;

    private IndexFile(Path file, long base) {
        super(file);
        this.base = base;
    }

    static IndexFile open(Path dir, long base) {
        return new IndexFile(dir.resolve(fileName(base, SUFFIX)), base);
    }

    static boolean isIndexFile(Path p) {
        return isNumbered(p, SUFFIX);
    }

    static long baseOf(Path p) {
        return numberOf(p);
    }

    long base() {
        return base;
    }

    /** Number of entry slots the file holds (written or hole). */
    long entryCount() {
        return sizeOnDisk() / ENTRY_SIZE;
    }

    /** Writes whole entries from {@code entries} starting at queue offset {@code offset}. */
    void write(long offset, ByteBuffer entries) {
        writeFully(entries, (offset - base) * ENTRY_SIZE);
        dirty = true;
    }

    /** Reads the entries for offsets [offset, offset + count) into {@code dst}. */
    void read(long offset, int count, ByteBuffer dst) {
        ByteBuffer view = dst.slice(dst.position(), count * ENTRY_SIZE);
        if (readFully(view, (offset - base) * ENTRY_SIZE) < count * ENTRY_SIZE) {
            throw new CorruptStoreException("index file " + file() + " is shorter than its entries");
        }
        dst.position(dst.position() + count * ENTRY_SIZE);
    }

    /** Keeps only the entries below queue offset {@code offset}. */
    void truncate(long offset) {
        truncateTo(Math.max(0, offset - base) * ENTRY_SIZE);
        dirty = true;
    }

    void flush() {
        if (!dirty) {
            return;
        }
        dirty = false;
        try {
            force();
        } catch (StoreException e) {
            dirty = true;
            throw e;
        }
    }
}
