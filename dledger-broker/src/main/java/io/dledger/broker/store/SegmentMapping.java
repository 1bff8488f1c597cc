package io.dledger.broker.store;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A read-only memory mapping of a log segment file's first {@link #length()} bytes, so a pull reads records
 * straight from the page cache: no read of a whole run into a fresh heap buffer, no copy of the bytes between the
 * records it wants (other queues' records); only the wanted records are copied.
 *
 * <p>Lifetime: the segment holds the mapping until it {@link #retire}s it (it maps a longer one, is closed or
 * truncated); each reader {@link #acquire}s it for the duration of one read and {@link #release}s it after. The
 * last release after retirement unmaps at once, so neither deleted files' disk space nor address space waits for a
 * garbage collection. A reader must therefore copy whatever it keeps (a message's body) before it releases:
 * touching the mapping afterwards could crash the JVM.
 *
 * <p>Thread-safety: acquire and release from any thread; a mapping once unmapped is never acquired again.
 */
final class SegmentMapping {
    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private final MappedByteBuffer buffer;
    /** Holders: the segment (until retired) and the readers; 0 once unmapped. */
    private final AtomicInteger holders = new AtomicInteger(1);

    SegmentMapping(MappedByteBuffer buffer) {
        this.buffer = buffer;
    }

    /** Bytes of the file the mapping covers, from its start. */
    int length() {
        return buffer.capacity();
    }

    /** Takes a hold for one read; false when the mapping is already unmapped (map again or read otherwise). */
    boolean acquire() {
        while (true) {
            int h = holders.get();
            if (h == 0) {
                return false;
            }
            if (holders.compareAndSet(h, h + 1)) {
                return true;
            }
        }
    }

    /** A read-only view of {@code length} bytes at byte {@code at} of the file; valid while the hold lasts. */
    ByteBuffer slice(int at, int length) {
        return buffer.slice(at, length);
    }

    /** True while a reader holds the mapping (besides the segment's own hold). */
    boolean inUse() {
        return holders.get() > 1;
    }

    /** Ends one reader's hold: unmaps when it was the last one of a retired mapping. */
    void release() {
        int left = holders.decrementAndGet();
        if (left == 0) {
            UNSAFE.invokeCleaner(buffer);
        } else if (left < 0) {
            throw new IllegalStateException("segment mapping released more often than acquired");
        }
    }

    /** The segment's own hold ends (it maps anew, closes or truncates); unmaps once no reader holds it. */
    void retire() {
        release();
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
