package io.dledger.broker.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A store file named after the number of its first element (a log position or a queue offset,
 * zero-padded to 20 digits, e.g. {@code 00000000000000004096.log}), with positional I/O that turns
 * {@link IOException}s into {@link StoreException}s naming the file.
 *
 * <p>Thread-safety: positional reads and writes on the shared channel are safe from several threads;
 * callers coordinate writers.
 */
abstract class StoreFile implements AutoCloseable {
    private static final int DIGITS = 20;

    private final Path file;
    private final FileChannel channel;

    StoreFile(Path file) {
        this.file = file;
        try {
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StoreException("cannot open " + file, e);
        }
    }

    static String fileName(long number, String suffix) {
        return String.format("%0" + DIGITS + "d%s", number, suffix);
    }

    static boolean isNumbered(Path p, String suffix) {
        String name = p.getFileName().toString();
        return name.length() == DIGITS + suffix.length() && name.endsWith(suffix)
                && name.substring(0, DIGITS).chars().allMatch(Character::isDigit);
    }

    static long numberOf(Path p) {
        return Long.parseLong(p.getFileName().toString().substring(0, DIGITS));
    }

    Path file() {
        return file;
    }

    long sizeOnDisk() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new StoreException("cannot size " + file, e);
        }
    }

    /** Writes every remaining byte of {@code data} at byte {@code at}; returns the byte after the last one. */
    long writeFully(ByteBuffer data, long at) {
        try {
            while (data.hasRemaining()) {
                at += channel.write(data, at);
            }
            return at;
        } catch (IOException e) {
            throw new StoreException("write to " + file + " failed", e);
        }
    }

    /** Reads from byte {@code at} until {@code dst} is full or the file ends; returns the bytes read. */
    int readFully(ByteBuffer dst, long at) {
        int total = 0;
        try {
            while (dst.hasRemaining()) {
                int n = channel.read(dst, at + total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            return total;
        } catch (IOException e) {
            throw new StoreException("read of " + file + " at " + (at + total) + " failed", e);
        }
    }

    /**
     * Maps the file's first {@code length} bytes read-only; refuses a length past the file's end (the channel is
     * writable, and mapping past the end would grow the file).
     */
    MappedByteBuffer mapReadOnly(int length) {
        long onDisk = sizeOnDisk();
        if (length > onDisk) {
            throw new StoreException("cannot map " + length + " bytes of " + file + ", which holds " + onDisk);
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, length);
        } catch (IOException e) {
            throw new StoreException("cannot map " + file, e);
        }
    }

    void truncateTo(long bytes) {
        try {
            channel.truncate(bytes);
        } catch (IOException e) {
            throw new StoreException("truncate of " + file + " failed", e);
        }
    }

    void force() {
        try {
            channel.force(false);
        } catch (IOException e) {
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
