package io.dledger.broker.store;

import java.nio.ByteBuffer;

/**
 * Bytes of a log segment's memory mapping ({@link SegmentedLog#view}), held until {@link #close}: valid only until
 * then, so a reader copies what it keeps. One thread uses a view.
 */
final class MappedView implements AutoCloseable {
    private final ByteBuffer bytes;
    private final SegmentMapping mapping;
    private boolean closed;

    MappedView(ByteBuffer bytes, SegmentMapping mapping) {
        this.bytes = bytes;
        this.mapping = mapping;
    }

    ByteBuffer bytes() {
        return bytes;
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
