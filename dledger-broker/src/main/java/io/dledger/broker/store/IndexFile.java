package io.dledger.broker.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One file of a queue index: entry {@code i} of the file describes queue offset {@code base + i} and
 * lives at byte {@code i * ENTRY_SIZE}. Byte format of an entry (big-endian):
 * <pre>
 * offset size field
 *  0      8   position   global log position of the message record
 *  8      4   size       length of the record in bytes (never 0 for a written entry)
 * </pre>
 * Thread-safety: one writer; concurrent positional reads of entries the writer has published.
 */
final class IndexFile implements AutoCloseable {
    static final int ENTRY_SIZE = 12;
    static final String SUFFIX = ".idx";

    private final Path file;
    private final long base;
    private final FileChannel channel;
    private volatile boolean dirty;

    private IndexFile(Path file, long base, FileChannel channel) {
        this.file = file;
        this.base = base;
        this.channel = channel;
    }

    static IndexFile open(Path dir, long base) {
        Path file = dir.resolve(String.format("%020d%s", base, SUFFIX));
        try {
            return new IndexFile(file, base, FileChannel.open(file, StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new StoreException("cannot open index file " + file, e);
        }
    }

    static boolean isIndexFile(Path p) {
        String name = p.getFileName().toString();
        return name.length() == 20 + SUFFIX.length() && name.endsWith(SUFFIX)
                && name.substring(0, 20).chars().allMatch(Character::isDigit);
    }

    static long baseOf(Path p) {
        return Long.parseLong(p.getFileName().toString().substring(0, 20));
    }

    long base() {
        return base;
    }

    Path file() {
        return file;
    }

    /** Number of entry slots the file holds (written or hole). */
    long entryCount() {
        try {
            return channel.size() / ENTRY_SIZE;
        } catch (IOException e) {
            throw new StoreException("cannot size " + file, e);
        }
    }

    /** Writes whole entries from {@code entries} starting at queue offset {@code offset}. */
    void write(long offset, ByteBuffer entries) {
        long at = (offset - base) * ENTRY_SIZE;
        try {
            while (entries.hasRemaining()) {
                at += channel.write(entries, at);
            }
        } catch (IOException e) {
            throw new StoreException("write to " + file + " failed", e);
        }
        dirty = true;
    }

    /** Reads the entries for offsets [offset, offset + count) into {@code dst}. */
    void read(long offset, int count, ByteBuffer dst) {
        long at = (offset - base) * ENTRY_SIZE;
        int end = dst.position() + count * ENTRY_SIZE;
        ByteBuffer view = dst.slice(dst.position(), count * ENTRY_SIZE);
        try {
            while (view.hasRemaining()) {
                int n = channel.read(view, at);
                if (n < 0) {
                    throw new CorruptStoreException("index file " + file + " is shorter than its entries");
                }
                at += n;
            }
        } catch (IOException e) {
            throw new StoreException("read of " + file + " failed", e);
        }
        dst.position(end);
    }

    /** Keeps only the entries below queue offset {@code offset}. */
    void truncate(long offset) {
        try {
            channel.truncate(Math.max(0, offset - base) * ENTRY_SIZE);
        } catch (IOException e) {
            throw new StoreException("truncate of " + file + " failed", e);
        }
        dirty = true;
    }

    void flush() {
        if (!dirty) {
            return;
        }
        dirty = false;
        try {
            channel.force(false);
        } catch (IOException e) {
            dirty = true;
            throw new StoreException("fsync of " + file + " failed", e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new StoreException("close of " + file + " failed", e);
        }
    }

    void closeAndDelete() {
        close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StoreException("delete of " + file + " failed", e);
        }
    }
}
