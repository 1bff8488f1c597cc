package io.dledger.broker.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Durable file-system operations shared by the message store and the Raft log: replacing a small file
 * atomically (temporary file, fsync, rename, fsync of the directory, so a crash leaves the old or the new
 * content, never a mix), and syncing a directory so created, renamed or deleted names survive a machine crash.
 *
 * <p>Thread-safety: stateless; callers serialise writes to the same file.
 */
public final class DurableFiles {
    private DurableFiles() {
    }

    /** Replaces {@code file} with {@code content}, atomically and durably. */
    public static void replace(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer data = ByteBuffer.wrap(content);
            while (data.hasRemaining()) {
                ch.write(data);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(file.toAbsolutePath().getParent());
    }

    /** Makes the names in {@code dir} (created, renamed, deleted files) durable. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
