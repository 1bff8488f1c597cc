package io.dledger.broker.raft.log;

import com.sun.nio.file.ExtendedOpenOption;
import io.dledger.broker.concurrent.DaemonThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the next segment file in the background: a file of {@code segmentBytes} zeros, written (around the
 * page cache where the file system allows) and synced,
 * named {@value #SPARE_NAME}, so that rolling to a new segment is a rename instead of a 64 MiB write on
 * JRaft's log disk thread. At most one spare exists; a leftover spare from a previous run is reused.
 *
 * <p>Thread-safety: {@link #take} is called by one thread (the log writer); preparation runs on a private
 * daemon thread.
 */
final class SegmentPreallocator implements AutoCloseable {
    static final String SPARE_NAME = "spare.seg.tmp";
    private static final Logger LOG = LoggerFactory.getLogger(SegmentPreallocator.class);
    private static final long SYNC_EVERY_BYTES = 4L << 20;
    private static final int CHUNK = 1 << 20;

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

    static Path zeroFill(Path file, long bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        if (!zeroFillDirect(tmp, bytes)) {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                writeZeros(ch, ByteBuffer.allocateDirect(CHUNK), bytes);
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /**
     * Writes the zeros around the page cache (O_DIRECT) where the file system allows it and the size is a whole
     * number of its blocks: a buffered fill copies every byte into the page cache and writes it back later, which
     * cost a follower some 15% of its CPU at 10,000 msgs/s, and pushes the store's recent messages out of the
     * cache. Returns false if it could not, leaving {@code tmp} to be overwritten.
     */
    private static boolean zeroFillDirect(Path tmp, long bytes) throws ClosedByInterruptException {
        try {
            long block = Files.getFileStore(tmp.getParent()).getBlockSize();
            if (block <= 0 || CHUNK % block != 0 || bytes % block != 0) {
                return false;
            }
            ByteBuffer zeros = ByteBuffer.allocateDirect(CHUNK + (int) block).alignedSlice((int) block);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
                writeZeros(ch, zeros, bytes);
            }
            return true;
        } catch (ClosedByInterruptException e) {
            throw e; // closing: no second attempt
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("zero-filling {} through the page cache: O_DIRECT failed ({})", tmp, e.toString());
            return false;
        }
    }

    private static void writeZeros(FileChannel ch, ByteBuffer zeros, long bytes) throws IOException {
        long pos = 0;
        while (pos < bytes) {
            zeros.clear().limit((int) Math.min(CHUNK, bytes - pos));
            while (zeros.hasRemaining()) {
                pos += ch.write(zeros, pos);
            }
            if (pos % SYNC_EVERY_BYTES == 0) {
                ch.force(false); // a little at a time: one 64 MiB flush would queue the log's fsyncs behind it
            }
        }
        ch.force(true);
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
