package io.dledger.broker.store;

import java.nio.ByteBuffer;

/**
 * Bytes of a log segment's memory mapping ({@link SegmentedLog#view}), held until {@link #close}, and read only by
 * copying them out ({@link #copy}). A bulk copy is where the JVM turns a fault in the mapped pages (a disk error, a
 * file cut from outside) into an {@link InternalError}; other code run on mapped memory may not: HotSpot's CRC32C
 * stub crashes the process with a SIGBUS. Copies also outlive the view, whose mapping may be unmapped once it is
 * closed. One thread uses a view.
 */
final class MappedView implements AutoCloseable {
    private final ByteBuffer bytes;
    private final SegmentMapping mapping;
    private boolean closed;

    MappedView(ByteBuffer bytes, SegmentMapping mapping) {
        this.bytes = bytes;
        this.mapping = mapping;
    }

    /**
     * The {@code length} bytes at {@code at} (within the view) in a new array.
     *
     * @throws InternalError when the mapped pages fault (possibly reported a little later, see {@link QueueReader})
     */
    byte[] copy(int at, int length) {
        byte[] out = new byte[length];
        bytes.get(at, out);
        return out;
    }

    SegmentMapping mapping() {
        return mapping;
    }

    /** Ends this view's hold on the mapping; later calls do nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            mapping.release();
        }
    }
}
