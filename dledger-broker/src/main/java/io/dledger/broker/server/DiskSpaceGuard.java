package io.dledger.broker.server;

import io.dledger.broker.config.ConfigKey;
import io.dledger.proto.DiskStatus;
import io.dledger.proto.ErrorCode;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's admission check for writes that grow the disk (produce requests, new topics): refuses them with
 * {@link ErrorCode#STORAGE_FULL} (gRPC {@code RESOURCE_EXHAUSTED}) while the file system holding the node's data has
 * less usable space than {@code store.min.free.bytes}. A full disk then stops producers with a clear error, and
 * nothing of their request stored, instead of failing an append to the Raft log or the store, which would take the
 * node out of service. Writes that free space or are tiny (deleting a topic, committing offsets) are not checked.
 *
 * <p>The leader checks its own disk here, then asks {@link FollowerDisks} whether a majority of the nodes can still
 * store the write. Every node reports its own disk in its status ({@link #status()}).
 *
 * <p>Thread-safe. The usable space is read at most every {@link #REFRESH_NANOS} (a {@code statvfs} call), so a check
 * costs a volatile read; a failure to read it lets writes through (the check is a safeguard, not a gate that
 * breaks the broker when the file system cannot say).
 */
public final class DiskSpaceGuard {
    private static final Logger LOG = LoggerFactory.getLogger(DiskSpaceGuard.class);
    /** How long a reading of the usable space is reused. */
    static final long REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final long minFreeBytes;
    private final LongSupplier usableBytes;
    private final LongSupplier nanoClock;
    private final FollowerDisks followers;
    private volatile long readAt; // set one period back at construction: the first call reads
    private volatile long lastUsable = Long.MAX_VALUE;
    private final LogThrottle refusalLog;

    /** {@code usableBytes}: the usable space now ({@code Long.MAX_VALUE} when unknown); 0 {@code minFreeBytes}: off. */
    DiskSpaceGuard(long minFreeBytes, LongSupplier usableBytes, LongSupplier nanoClock, FollowerDisks followers) {
        this.minFreeBytes = minFreeBytes;
        this.usableBytes = usableBytes;
        this.nanoClock = nanoClock;
        this.followers = followers;
        this.readAt = nanoClock.getAsLong() - REFRESH_NANOS;
        this.refusalLog = new LogThrottle(TimeUnit.MINUTES.toNanos(1), nanoClock);
    }

    /**
     * Guards the file system holding {@code dataDir}. When the JVM cannot tell which that is (some container setups:
     * "mount point not found"), the space counts as unknown, with a warning, and writes go through.
     */
    static DiskSpaceGuard forDirectory(Path dataDir, long minFreeBytes, FollowerDisks followers) {
        FileStore fs;
        try {
            fs = Files.getFileStore(dataDir);
        } catch (IOException e) {
            LOG.warn("cannot find the file system of {} ({}): {} is not checked", dataDir, e.getMessage(),
                    ConfigKey.STORE_MIN_FREE_BYTES.key());
            return new DiskSpaceGuard(minFreeBytes, () -> Long.MAX_VALUE, System::nanoTime, followers);
        }
        return new DiskSpaceGuard(minFreeBytes, () -> {
            try {
                return fs.getUsableSpace();
            } catch (IOException e) {
                return Long.MAX_VALUE;
            }
        }, System::nanoTime, followers);
    }

    /**
     * Throws {@code STORAGE_FULL} when this node's usable space is below its minimum, or when the followers' disks
     * leave fewer than a majority of the nodes able to store more (the followers' check runs even when this node's
     * own is off: each follower judges its disk against its own setting).
     */
    void check() {
        long usable = usableBytes();
        if (below(usable)) {
            String why = "the leader's disk has " + mib(usable) + " MiB usable, less than "
                    + ConfigKey.STORE_MIN_FREE_BYTES.key() + " (" + mib(minFreeBytes) + " MiB): writes are refused "
                    + "until space is freed (retention.ms / retention.bytes, deleting topics, a bigger disk)";
            if (refusalLog.pass()) {
                LOG.warn("refusing writes with STORAGE_FULL (logged at most once a minute): {}", why);
            }
            throw RpcErrors.error(ErrorCode.STORAGE_FULL, why + "; nothing of this request was stored");
        }
        followers.check();
    }

    /** This node's disk as its status reports it. */
    DiskStatus status() {
        long usable = usableBytes();
        return DiskStatus.newBuilder().setUsableBytes(usable == Long.MAX_VALUE ? -1 : usable)
                .setMinFreeBytes(Math.max(0, minFreeBytes)).setBelowMinimum(below(usable)).build();
    }

    /** Whether this node's disk is below its minimum (never when the check is off or the space unknown). */
    boolean belowMinimum() {
        return below(usableBytes());
    }

    private boolean below(long usable) {
        return minFreeBytes > 0 && usable < minFreeBytes;
    }

    /** The usable space of the last reading, at most {@link #REFRESH_NANOS} old ({@code Long.MAX_VALUE}: unknown). */
    public long usableBytes() {
        long now = nanoClock.getAsLong();
        if (now - readAt >= REFRESH_NANOS) {
            lastUsable = usableBytes.getAsLong();
            readAt = now;
        }
        return lastUsable;
    }

    static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }
}
