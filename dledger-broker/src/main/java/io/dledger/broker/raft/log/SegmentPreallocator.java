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
 * Prepares the next segment file in the background: a file of {@code segmentBytes} zeros, written and synced,
 * named {@value #SPARE_NAME}, so that rolling to a new segment is a rename instead of a 64 MiB write on
 * JRaft's log disk thread. At most one spare exists; a leftover spare from a previous run is reused.
 *
 * <p>Thread-safety: {@link #take} is called by one thread (the log writer); preparation runs on a private
 * daemon thread.
 */
final class SegmentPreallocator implements AutoCloseable {
    static final String SPARE_NAME = "spare.seg.tmp";
    private static final long SYNC_EVERY_BYTES = 4L << 20;

    private final Path dir;
    private final long segmentBytes;
    private final ExecutorService executor =
            Executors.newSingleThreadExecutor(new DaemonThreadFactory("dledger-log-preallocator"));
    private CompletableFuture<Path> spare;

    SegmentPreallocator(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.spare = prepare();
    }

    /**
     * Moves a zero-filled file of at least {@code minBytes} to {@code target} and starts preparing the next
     * one. A record larger than a segment gets a file of its own size, made on the caller's thread.
     */
    void take(Path target, long minBytes) throws IOException {
        if (minBytes > segmentBytes) {
            zeroFill(target, minBytes);
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
