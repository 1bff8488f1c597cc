package io.dledger.broker.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One file of the message log. The file is named after the global log position of its first byte
 * ({@link #fileName}), holds whole records only, and grows by appends until the log rolls to a new
 * segment.
 *
 * <p>Thread-safety: one writer (the state machine thread) appends and truncates; any number of readers
 * may read concurrently below {@link #size()} (positional reads on the shared channel).
 */
final class LogSegment implements AutoCloseable {
    static final String SUFFIX = ".log";

    private final Path file;
    private final long basePosition;
    private final FileChannel channel;
    private volatile long size;

    private LogSegment(Path file, long basePosition, FileChannel channel, long size) {
        this.file = file;
        this.basePosition = basePosition;
        this.channel = channel;
        this.size = size;
    }

    static String fileName(long basePosition) {
        return String.format("%020d%s", basePosition, SUFFIX);
    }

    static boolean isSegmentFile(Path p) {
        String name = p.getFileName().toString();
        return name.length() == 20 + SUFFIX.length() && name.endsWith(SUFFIX)
                && name.substring(0, 20).chars().allMatch(Character::isDigit);
    }

    static long basePositionOf(Path p) {
        return Long.parseLong(p.getFileName().toString().substring(0, 20));
    }

    static LogSegment open(Path file) {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            return new LogSegment(file, basePositionOf(file), ch, ch.size());
        } catch (IOException e) {
            throw new StoreException("cannot open log segment " + file, e);
        }
    }

    static LogSegment create(Path dir, long basePosition) {
        Path file = dir.resolve(fileName(basePosition));
        if (Files.exists(file)) {
            throw new StoreException("log segment " + file + " already exists");
        }
        return open(file);
    }

    Path file() {
        return file;
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
        long at = start;
        try {
            while (data.hasRemaining()) {
                at += channel.write(data, at);
            }
        } catch (IOException e) {
            throw new StoreException("append to " + file + " failed", e);
        }
        size = at;
        return basePosition + start;
    }

    /** Reads bytes starting at the global {@code position} until {@code dst} is full or the segment ends. */
    void read(long position, ByteBuffer dst) {
        long at = position - basePosition;
        try {
            while (dst.hasRemaining()) {
                int n = channel.read(dst, at);
                if (n < 0) {
                    return;
                }
                at += n;
            }
        } catch (IOException e) {
            throw new StoreException("read of " + file + " at " + at + " failed", e);
        }
    }

    /** Cuts the segment to {@code newSize} bytes. */
    void truncate(long newSize) {
        try {
            channel.truncate(newSize);
            size = newSize;
        } catch (IOException e) {
            throw new StoreException("truncate of " + file + " failed", e);
        }
    }

    void flush() {
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
