package io.dledger.broker.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Durable file-system operations shared by the message store and the Raft log: replacing a small file
 * atomically (temporary file, fsync, rename, fsync of the directory, so a crash leaves the old or the new
 * content, never a mix), and syncing a directory so created, renamed or deleted names survive a machine crash.
 *
 * <p>Thread-safety: stateless. Each {@link #replace} writes its own temporary file (a unique name beside the
 * target, ending in {@link #TEMP_SUFFIX}), so concurrent replaces of the same file, even from different
 * processes, never mix their bytes: the last rename wins with one writer's whole content. A crash between
 * write and rename can leave such a temporary file behind; readers ignore it, and its single writer removes it
 * when it opens the file again ({@link #removeLeftovers}).
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
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /**
     * Deletes the temporary files an interrupted {@link #replace} of {@code file} left beside it; returns how many.
     * Only for a file with a single writer that is not writing now (a store that holds its lock, at open): a
     * concurrent replace's temporary file would be deleted under it.
     */
    public static int removeLeftovers(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        String prefix = file.getFileName() + ".";
        int removed = 0;
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> names = Files.list(dir)) {
            for (Path p : (Iterable<Path>) names::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith(prefix) && n.endsWith(TEMP_SUFFIX)
                        && isUuid(n.substring(prefix.length(), n.length() - TEMP_SUFFIX.length()))) {
                    Files.deleteIfExists(p);
                    removed++;
                }
            }
        }
        return removed;
    }

    private static boolean isUuid(String s) {
        try {
            return s.length() == 36 && UUID.fromString(s).toString().equals(s);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Makes the names in {@code dir} (created, renamed, deleted files) durable. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Syncs {@code root} and every directory below it (the names in them; not the files' contents). */
    public static void syncDirectoryTree(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.walk(root)) {
            dirs = s.filter(Files::isDirectory).toList();
        }
        for (Path dir : dirs) {
            syncDirectory(dir);
        }
    }

    /** Copies {@code from} over {@code to} and syncs the copy's bytes (its name is its directory's to sync). */
    public static void copy(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(to, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }
}
