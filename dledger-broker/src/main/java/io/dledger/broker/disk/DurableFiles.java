package io.dledger.broker.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Durable file-system operations shared by the message store and the Raft log: replacing a small file
 * atomically (temporary file, fsync, rename, fsync of the directory, so a crash leaves the old or the new
 * content, never a mix), and syncing a directory so created, renamed or deleted names survive a machine crash.
 *
 * <p>Thread-safety: stateless. Each {@link #replace} writes its own temporary file (a unique name beside the
 * target, ending in {@link #TEMP_SUFFIX}), so concurrent replaces of the same file, even from different
 * processes, never mix their bytes: the last rename wins with one writer's whole content. A crash between
 * write and rename can leave such a temporary file behind; readers ignore it.
 */
public final class DurableFiles {
    /** Suffix of the temporary file a {@link #replace} writes before renaming it over the target. */
    public static final String TEMP_SUFFIX = ".tmp";

    private DurableFiles() {
    }

    /** Replaces {@code file} with {@code content}, atomically and durably. */
    public static void replace(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve(file.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer data = ByteBuffer.wrap(content);
                while (data.hasRemaining()) {
                    ch.write(data);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        syncDirectory(dir);
    }

    /** Makes the names in {@code dir} (created, renamed, deleted files) durable. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
