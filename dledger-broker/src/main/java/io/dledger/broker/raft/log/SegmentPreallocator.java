package io.dledger.broker.raft.log;

import io.dledger.broker.concurrent.DaemonThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Supplies the files of new segments, so that rolling to a new segment is a rename instead of a 64 MiB write on
 * JRaft's log disk thread: a segment file that a prefix truncation dropped ({@link RecycledSegments}) when one
 * is ready, otherwise a file of {@code segmentBytes} zeros, written and synced in the background and named
 * {@value #SPARE_NAME}. At most one zero-filled spare exists; a leftover spare from a previous run is reused.
 *
 * <p>Thread-safety: {@link #take} and {@link #recycle} are called by one thread (the log writer); preparation
 * runs on a private daemon thread.
 */
final class SegmentPreallocator implements AutoCloseable {
    static final String SPARE_NAME = "spare.seg.tmp";
    private static final long SYNC_EVERY_BYTES = 4L << 20;

    private final Path dir;
    private final long segmentBytes;
    private final ExecutorService executor =
            Executors.newSingleThreadExecutor(new DaemonThreadFactory("dledger-log-preallocator"));
    private final RecycledSegments recycled;
    private CompletableFuture<Path> spare;

    SegmentPreallocator(Path dir, long segmentBytes) throws IOException {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.recycled = new RecycledSegments(dir, segmentBytes, executor);
        this.spare = prepare();
    }

    /**
     * Moves a file of at least {@code minBytes} to {@code target}, for the segment starting at {@code baseIndex}:
     * a recycled one if one is ready, else the zero-filled spare (and starts preparing the next spare). A record
     * larger than a segment gets a file of its own size, made on the caller's thread.
     */
    void take(Path target, long baseIndex, long minBytes) throws IOException {
        if (minBytes > segmentBytes) {
            zeroFill(target, minBytes);
            return;
        }
        if (recycled.takeInto(target, baseIndex)) {
            return;
        }
        Path file;
        try {
            file = spare.join();
        } catch (RuntimeException e) {
            file = zeroFill(dir.resolve(SPARE_NAME), segmentBytes); // the background attempt failed: try here
        }
        Files.move(file, target);
        spare = prepare();
    }

    /**
     * Keeps a closed segment file that a prefix truncation dropped, for reuse; deletes it when it is not kept.
     * The caller syncs the directory.
     *
     * @param staleBelow the index after the file's last entry
     * @param keepAtMost how many dropped files may wait for reuse (the number of live segments)
     */
    void recycle(Path segmentFile, long staleBelow, int keepAtMost) throws IOException {
        if (!recycled.offer(segmentFile, staleBelow, keepAtMost)) {
            Files.deleteIfExists(segmentFile);
        }
    }

    /** Deletes dropped files kept beyond {@code keepAtMost}. */
    void trimRecycled(int keepAtMost) throws IOException {
        recycled.trim(keepAtMost);
    }

    private CompletableFuture<Path> prepare() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Path file = dir.resolve(SPARE_NAME);
                if (Files.exists(file) && Files.size(file) == segmentBytes) {
                    return file;
                }
                return zeroFill(file, segmentBytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, executor);
    }

    private static Path zeroFill(Path file, long bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            long pos = 0;
            while (pos < bytes) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - pos));
                while (zeros.hasRemaining()) {
                    pos += ch.write(zeros, pos);
                }
                if (pos % SYNC_EVERY_BYTES == 0) {
                    ch.force(false); // a little at a time: one 64 MiB flush would queue the log's fsyncs behind it
                }
            }
            ch.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    @Override
    public void close() {
        executor.shutdownNow(); // an interrupted fill leaves a .part file, overwritten next time
        try {
            executor.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
