package io.dledger.broker.raft.log;

import io.dledger.broker.disk.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raft log segment files that a prefix truncation dropped, kept to become new segments: a roll onto one of them
 * needs no zero-fill, so each byte of the log is written to disk once instead of twice (zeros, then data), as
 * PostgreSQL recycles its WAL segments.
 *
 * <p>Why a recycled file's old records are harmless: they are all numbered below {@code staleBelow}, the
 * {@code nextIndex} of the segment the file held, and the file becomes a new segment only at a base index at
 * or above it ({@link #takeInto}); {@link RaftLogSegment#recover} accepts only {@code baseIndex,
 * baseIndex + 1, ...}, so no old record can pass for data. A file whose {@code staleBelow} is above the base
 * index asked for (only after the log was reset to an earlier index) is deleted instead.
 *
 * <p>Before a file is handed out it is prepared on the given executor: its first {@value
 * SegmentRecordCodec#END_MARK_BYTES} bytes are zeroed and synced (so it reads as an empty segment, even if a crash
 * follows the rename), and the file is read once, so that the appends, which rarely cover whole pages, find
 * its pages in the page cache rather than reading them from the disk. Only the next file in line is prepared.
 *
 * <p>File name: {@code recycled-<staleBelow, 20 digits>.seg.tmp}; files left by an earlier run are taken up at
 * start. At most {@code keepAtMost} files are kept (the caller passes the number of live segments after each
 * prefix truncation, so the spare files never take more disk than the log itself); others are deleted.
 *
 * <p>Thread-safety: confined to one thread (the log writer, and the initialising thread before it); only the
 * preparation runs on the executor, and it touches just the file it was given.
 */
final class RecycledSegments {
    static final String PREFIX = "recycled-";
    static final String SUFFIX = ".seg.tmp";
    private static final Logger LOG = LoggerFactory.getLogger(RecycledSegments.class);

    /** A recycled file and the index all its old records are below. */
    private record Spare(Path path, long staleBelow) {
    }

    private final Path dir;
    private final long segmentBytes;
    private final Executor executor;
    private final ArrayDeque<Spare> spares = new ArrayDeque<>(); // increasing staleBelow
    private CompletableFuture<Void> headReady; // preparation of spares.peekFirst(), null when not started

    RecycledSegments(Path dir, long segmentBytes, Executor executor) throws IOException {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.executor = executor;
        List<Path> found;
        try (Stream<Path> s = Files.list(dir)) {
            found = s.filter(RecycledSegments::isRecycledName).sorted().toList();
        }
        for (Path p : found) {
            if (Files.size(p) == segmentBytes) {
                spares.addLast(new Spare(p, staleBelowOf(p)));
            } else { // the segment size was changed since
                Files.delete(p);
            }
        }
        prepareHead();
    }

    static Path fileName(Path dir, long staleBelow) {
        return dir.resolve(String.format("%s%020d%s", PREFIX, staleBelow, SUFFIX));
    }

    private static boolean isRecycledName(Path p) {
        String n = p.getFileName().toString();
        return n.startsWith(PREFIX) && n.endsWith(SUFFIX)
                && n.length() == PREFIX.length() + 20 + SUFFIX.length();
    }

    private static long staleBelowOf(Path p) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
    }

    int size() {
        return spares.size();
    }

    /**
     * Keeps a dropped segment file (already closed) for reuse, renamed; the caller syncs the directory.
     *
     * @param staleBelow the index after the dropped segment's last entry
     * @return false when it was not kept (not of the usual size, or {@code keepAtMost} files are kept already):
     *         the caller deletes it
     */
    boolean offer(Path segmentFile, long staleBelow, int keepAtMost) throws IOException {
        if (spares.size() >= keepAtMost || Files.size(segmentFile) != segmentBytes
                || (!spares.isEmpty() && spares.peekLast().staleBelow() >= staleBelow)) {
            return false;
        }
        Path target = fileName(dir, staleBelow);
        Files.move(segmentFile, target);
        spares.addLast(new Spare(target, staleBelow));
        if (headReady == null) {
            prepareHead();
        }
        return true;
    }

    /** Deletes the newest kept files beyond {@code keepAtMost} (the log shrank). */
    void trim(int keepAtMost) throws IOException {
        while (spares.size() > Math.max(0, keepAtMost)) {
            Files.deleteIfExists(spares.pollLast().path());
            if (spares.isEmpty()) {
                headReady = null;
            }
        }
    }

    /**
     * Moves a prepared file to {@code target}, to become the segment starting at {@code baseIndex}; the caller
     * syncs the directory.
     *
     * @return false when no file is ready (none kept, or the next one still being prepared)
     */
    boolean takeInto(Path target, long baseIndex) throws IOException {
        while (!spares.isEmpty() && spares.peekFirst().staleBelow() > baseIndex) {
            Files.deleteIfExists(spares.pollFirst().path()); // the log went back below its old records
            headReady = null;
        }
        if (spares.isEmpty()) {
            return false;
        }
        if (headReady == null) {
            prepareHead();
            return false;
        }
        if (!headReady.isDone()) {
            return false;
        }
        Spare head = spares.pollFirst();
        boolean ready = !headReady.isCompletedExceptionally();
        headReady = null;
        if (ready) {
            Files.move(head.path(), target);
        } else {
            Files.deleteIfExists(head.path()); // the failure was logged by the preparation
        }
        prepareHead();
        return ready;
    }

    private void prepareHead() {
        if (spares.isEmpty()) {
            return;
        }
        Path file = spares.peekFirst().path();
        headReady = CompletableFuture.runAsync(() -> {
            try {
                prepare(file);
            } catch (IOException e) {
                if (!(e instanceof java.nio.channels.ClosedByInterruptException)) { // not a shutdown
                    LOG.warn("cannot prepare the recycled Raft log segment {}: {}", file, e.getMessage());
                }
                throw new UncheckedIOException(e);
            }
        }, executor);
    }

    private void prepare(Path file) throws IOException {
        // the rename that made the file a recycled one is durable before its data changes: otherwise a power loss
        // could bring back the old segment, emptied, under its old name
        DurableFiles.syncDirectory(dir);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer mark = ByteBuffer.allocate(SegmentRecordCodec.END_MARK_BYTES);
            while (mark.hasRemaining()) {
                ch.write(mark, mark.position());
            }
            ch.force(false);
            ByteBuffer block = ByteBuffer.allocateDirect(1 << 20);
            long pos = 0;
            while (true) {
                block.clear();
                int n = ch.read(block, pos);
                if (n < 0) {
                    break;
                }
                pos += n;
            }
        }
    }
}
