package io.dledger.broker.store;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One file of the message log. The file is named after the global log position of its first byte
 * ({@link #fileName}), holds whole records only, and grows by appends until the log rolls to a new
 * segment.
 *
 * <p>Thread-safety: one writer (the state machine thread) appends and truncates; any number of readers
 * may read concurrently below {@link #size()} (positional reads on the shared channel).
 */
final class LogSegment extends StoreFile {
    static final String SUFFIX = ".log";

    private final long basePosition;
    private volatile long size;

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

    /** Cuts the segment to {@code newSize} bytes. */
    void truncate(long newSize) {
        truncateTo(newSize);
        size = newSize;
    }

    void flush() {
        force();
    }
}
