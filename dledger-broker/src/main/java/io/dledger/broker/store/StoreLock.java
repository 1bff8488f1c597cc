package io.dledger.broker.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exclusive lock on a store directory (an OS file lock on its {@code LOCK} file), so two nodes never
 * open one store. Held from {@link #acquire} to {@link #close}; not thread-safe (opened and closed by the
 * store's owner).
 */
final class StoreLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreLock.class);
    static final String FILE_NAME = "LOCK";

    private final FileChannel channel;
    private final FileLock lock;

    private StoreLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Creates {@code dir} if needed and locks it; fails when another process (or this one) holds it. */
    static StoreLock acquire(Path dir) {
        FileChannel channel = null;
        FileLock l;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            l = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null; // held by this JVM
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StoreException("cannot lock store directory " + dir, e);
        }
        if (l == null) {
            closeQuietly(channel);
            throw new StoreException("store directory " + dir + " is in use by another process");
        }
        return new StoreLock(channel, l);
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            LOG.warn("cannot release store lock", e);
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
