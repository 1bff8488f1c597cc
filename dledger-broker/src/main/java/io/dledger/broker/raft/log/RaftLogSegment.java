package io.dledger.broker.raft.log;

import io.dledger.broker.raft.log.SegmentRecordCodec.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * One preallocated file of the Raft log holding the entries {@code baseIndex, baseIndex + 1, ...} back to back.
 * The file comes full of zeros or is a recycled segment ({@link SegmentPreallocator}), so an append overwrites
 * allocated blocks and never changes the file's size: {@code fdatasync} then writes the data only, not the inode
 * (half the cost of an appending write on ext4 here). A zero length field marks the end of the data: every write
 * ends with {@value SegmentRecordCodec#END_MARK_BYTES} zero bytes (the end mark, overwritten by the next write)
 * when they fit.
 *
 * <p>Bytes after the end mark may be records of the file's previous use (a recycled segment). Each of them is
 * numbered below this segment's {@code baseIndex} ({@link RecycledSegments} reuses a file only above the indexes
 * it held), and {@link #recover} accepts only {@code baseIndex, baseIndex + 1, ...}, so none is ever read as data.
 *
 * <p>Record format and codec: {@link SegmentRecordCodec}.
 *
 * <p>Torn write or damage: the log thread writes a batch, then syncs it, then writes the next; the bytes after
 * the last write are zeros. So only the last write can be torn, and a bad record followed by a valid record
 * flagged "after sync" (of a later write) is damage to data that had been synced, not a torn write
 * ({@link #syncedWriteAfterEnd}). Truncation keeps this true: it zeroes the first dropped record's length
 * and syncs before zeroing the rest.
 *
 * <p>Thread-safety: one writer (JRaft's log disk thread) appends and truncates; readers call {@link #read}
 * concurrently. {@link LogSegments} publishes {@link #entryCount} changes under its lock; positional
 * reads and writes on the channel are independent.
 */
final class RaftLogSegment {
    static final String SUFFIX = ".seg";

    private final Path path;
    private final long baseIndex;
    private final FileChannel channel;
    private final long capacity;
    private long[] positions = new long[1024];
    private int entryCount;
    private long writePosition;

    private RaftLogSegment(Path path, long baseIndex, FileChannel channel, long capacity) {
        this.path = path;
        this.baseIndex = baseIndex;
        this.channel = channel;
        this.capacity = capacity;
    }

    static Path fileName(Path dir, long baseIndex) {
        return dir.resolve(String.format("%020d%s", baseIndex, SUFFIX));
    }

    static long baseIndexOf(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
    }

    /** Opens an existing segment file; call {@link #recover} next. */
    static RaftLogSegment open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new RaftLogSegment(file, baseIndexOf(file), ch, ch.size());
    }

    /**
     * Scans the records from the start and keeps those that are whole, CRC-valid and numbered
     * {@code baseIndex, baseIndex + 1, ...}; the first one that is not ends the data. Nothing is written: the
     * caller decides whether a bad record is a torn tail to {@link #zeroAfterEnd cut} or damage to report.
     *
     * @param onRecord called for every valid record, in order
     * @return true when the data ended cleanly (zero length field or end of file), false after a bad record
     */
    boolean recover(java.util.function.Consumer<Record> onRecord) throws IOException {
        ByteBuffer header = SegmentRecordCodec.newHeader();
        long pos = 0;
        boolean clean = true;
        while (pos + SegmentRecordCodec.HEADER_BYTES <= capacity) {
            header.clear();
            readFully(header, pos);
            int length = SegmentRecordCodec.length(header);
            if (length == 0) {
                break;
            }
            long index = SegmentRecordCodec.index(header);
            if (length < 0 || pos + SegmentRecordCodec.HEADER_BYTES + length > capacity
                    || index != baseIndex + entryCount) {
                clean = false;
                break;
            }
            Record r = readAt(pos, header);
            if (r == null) {
                clean = false;
                break;
            }
            addPosition(pos);
            onRecord.accept(r);
            pos += SegmentRecordCodec.recordBytes(length);
        }
        writePosition = pos;
        return clean;
    }

    /**
     * After {@link #recover} stopped at a bad record: follows the record lengths from it and returns the index
     * of the first whole, CRC-valid, correctly numbered record flagged {@link SegmentRecordCodec#FLAG_AFTER_SYNC},
     * which proves the bad record had been synced before (damage, not a torn write); empty when the chain ends
     * first (the bad record's own length is damaged, or what follows is a torn write or zeros). Reads only.
     */
    OptionalLong syncedWriteAfterEnd() throws IOException {
        ByteBuffer header = SegmentRecordCodec.newHeader();
        long pos = writePosition;
        long index = nextIndex();
        while (pos + SegmentRecordCodec.HEADER_BYTES <= capacity) {
            header.clear();
            readFully(header, pos);
            int length = SegmentRecordCodec.length(header);
            if (length <= 0 || pos + SegmentRecordCodec.HEADER_BYTES + (long) length > capacity) {
                break;
            }
            if (pos > writePosition) { // the bad record itself only gives its length
                Record r = SegmentRecordCodec.index(header) == index ? readAt(pos, header) : null;
                if (r == null) {
                    break;
                }
                if ((r.flags() & SegmentRecordCodec.FLAG_AFTER_SYNC) != 0) {
                    return OptionalLong.of(index);
                }
            }
            pos += SegmentRecordCodec.HEADER_BYTES + (long) length;
            index++;
        }
        return OptionalLong.empty();
    }

    /** Whether {@code bytes} more fit. */
    boolean fits(long bytes) {
        return writePosition + bytes <= capacity;
    }

    long capacity() {
        return capacity;
    }

    /**
     * Writes already-encoded records (numbered from {@link #nextIndex()}) at the end, in one write with the end
     * mark; not yet visible.
     *
     * @param records the records followed by {@value SegmentRecordCodec#END_MARK_BYTES} zero bytes, the end mark
     *                (written as far as the file has room: a file that ends within a header's size after the data
     *                needs none)
     * @param recordStarts where each of the {@code count} records starts in {@code records}
     */
    void write(ByteBuffer records, long[] recordStarts, int count) throws IOException {
        long start = writePosition;
        long dataEnd = start + records.remaining() - SegmentRecordCodec.END_MARK_BYTES;
        records.limit(records.limit() - (int) Math.max(0, start + records.remaining() - capacity));
        long pos = start;
        while (records.hasRemaining()) {
            pos += channel.write(records, pos);
        }
        writePosition = dataEnd;
        for (int i = 0; i < count; i++) {
            addPosition(start + recordStarts[i]);
        }
    }

    void force() throws IOException {
        channel.force(false);
    }

    /** Drops every record after {@code lastIndexKept} and zeroes their bytes. */
    void truncateAfter(long lastIndexKept) throws IOException {
        int keep = (int) Math.max(0, lastIndexKept - baseIndex + 1);
        if (keep >= entryCount) {
            return;
        }
        long cut = positions[keep];
        zero(cut, cut + 4); // the data ends here once this is on disk, whatever happens to the rest
        channel.force(false);
        zero(cut + 4, writePosition);
        entryCount = keep;
        writePosition = cut;
        channel.force(false);
    }

    /** Reads the record of {@code index} (which must be in this segment); null if it fails its CRC. */
    Record read(long index) throws IOException {
        long pos = positions[(int) (index - baseIndex)];
        ByteBuffer header = SegmentRecordCodec.newHeader();
        readFully(header, pos);
        return readAt(pos, header);
    }

    long baseIndex() {
        return baseIndex;
    }

    /** The index the next appended record must carry. */
    long nextIndex() {
        return baseIndex + entryCount;
    }

    int entryCount() {
        return entryCount;
    }

    Path path() {
        return path;
    }

    void close() throws IOException {
        channel.close();
    }

    void delete() throws IOException {
        channel.close();
        Files.deleteIfExists(path);
    }

    private Record readAt(long pos, ByteBuffer header) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(SegmentRecordCodec.length(header));
        readFully(body, pos + SegmentRecordCodec.HEADER_BYTES);
        return SegmentRecordCodec.decode(header, body.array());
    }

    private void addPosition(long pos) {
        if (entryCount == positions.length) {
            positions = Arrays.copyOf(positions, positions.length * 2);
        }
        positions[entryCount++] = pos;
    }

    private void readFully(ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of " + path + " at " + (pos + buf.position()));
            }
        }
    }

    /**
     * Zeroes every non-zero byte after the end of the data, up to the end of the file: what a torn write or an
     * interrupted truncation left there can then never be read as a record after a later append. For the newest
     * segment only, after {@link #recover}.
     *
     * @return whether anything was zeroed
     */
    boolean zeroAfterEnd() throws IOException {
        ByteBuffer block = ByteBuffer.allocate(1 << 20);
        long pos = writePosition;
        long dirtyStart = -1;
        long dirtyEnd = -1;
        while (pos < capacity) {
            block.clear().limit((int) Math.min(block.capacity(), capacity - pos));
            readFully(block, pos);
            for (int i = 0; i < block.limit(); i++) {
                if (block.get(i) != 0) {
                    if (dirtyStart < 0) {
                        dirtyStart = pos + i;
                    }
                    dirtyEnd = pos + i + 1;
                }
            }
            pos += block.limit();
        }
        if (dirtyStart < 0) {
            return false;
        }
        zero(dirtyStart, dirtyEnd);
        channel.force(false);
        return true;
    }

    private void zero(long from, long to) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate(1 << 16);
        long pos = from;
        while (pos < to) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), to - pos));
            while (zeros.hasRemaining()) {
                pos += channel.write(zeros, pos);
            }
        }
    }
}
