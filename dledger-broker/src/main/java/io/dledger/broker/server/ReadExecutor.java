package io.dledger.broker.server;

import io.dledger.broker.concurrent.DaemonThreadFactory;
import io.dledger.broker.config.ConfigKey;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The node's read threads and the queue in front of them: pulls, woken long polls, digests and the answers of
 * leadership transfers run here, never on gRPC's I/O threads.
 *
 * <p>Admission. A new request enters through {@link #executeOrRefuse} and is answered {@code BUSY} (retryable)
 * instead while {@code maxQueued} tasks wait for a thread already ({@code read.max.queued}): reads
 * that arrive faster than the node serves them are refused early instead of piling up in memory. Work already
 * admitted once, a long poll woken by new messages or by its deadline ({@link #execute}), always enters, so a
 * parked pull is always answered; {@code pull.max.waiting} bounds how many of those there are. The bound is
 * checked without a lock, so concurrent callers may overshoot it by a few tasks.
 *
 * <p>Thread-safe. Tasks run in no particular order across threads; each runs once.
 */
final class ReadExecutor implements Executor, AutoCloseable {
    private final String nodeId;
    private final ThreadPoolExecutor pool;
    private final int maxQueued;

    ReadExecutor(String nodeId, int threads, int maxQueued) {
        if (threads < 1 || maxQueued < 1) {
            throw new IllegalArgumentException("threads and maxQueued must be positive: " + threads + ", "
                    + maxQueued);
        }
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                new DaemonThreadFactory("dledger-read"));
        this.maxQueued = maxQueued;
        this.nodeId = nodeId;
    }

    /** Runs {@code task}, a new request's, unless {@code maxQueued} tasks wait already: then answers {@code BUSY}. */
    void executeOrRefuse(Runnable task, StreamObserver<?> out) {
        if (pool.getQueue().size() >= maxQueued) {
            out.onError(RpcErrors.busy("reads queued", nodeId, ConfigKey.READ_MAX_QUEUED, maxQueued));
            return;
        }
        pool.execute(task);
    }

    /** Runs work admitted before (a woken long poll): never turned away while the node runs. */
    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }

    /** Tasks waiting for a thread now. */
    int queued() {
        return pool.getQueue().size();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
