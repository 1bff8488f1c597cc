package io.dledger.broker.raft.log;

import io.dledger.broker.disk.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * The Raft log's first index after a prefix truncation or reset, in the file {@value #NAME}: 8 bytes index
 * (big-endian) then 4 bytes CRC32C of those 8 bytes. Replaced atomically ({@link DurableFiles#replace}), so a
 * crash leaves either the old or the new value. A bad CRC fails loudly.
 *
 * <p>Thread-safety: not thread-safe; read once while the log loads, then written only by JRaft's log disk thread
 * ({@link SegmentLogStorage#truncatePrefix} before it takes {@link LogSegments}' write lock, a reset under it).
 */
final class FirstIndexFile {
    static final String NAME = "first-index";
    static final int BYTES = 12;

    private final Path file;

    FirstIndexFile(Path dir) {
        this.file = dir.resolve(NAME);
    }

    /** The first index saved, empty when none was; removes what an interrupted write left (read once, at load). */
    OptionalLong read() throws IOException {
        DurableFiles.removeLeftovers(file);
        if (!Files.exists(file)) {
            return OptionalLong.empty();
        }
        byte[] b = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(b);
        if (b.length != BYTES || buf.getInt(8) != crc(b)) {
            throw new IllegalStateException(file + " is damaged (" + b.length + " bytes, bad CRC or size)");
        }
        return OptionalLong.of(buf.getLong(0));
    }

    void write(long firstIndex) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(BYTES).putLong(firstIndex);
        buf.putInt(8, crc(buf.array()));
        DurableFiles.replace(file, buf.array());
    }

    private static int crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b, 0, 8);
        return (int) c.getValue();
    }
}
