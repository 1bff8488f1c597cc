package io.dledger.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs every RPC of the client: picks the node (the cached leader or a named node), starts the attempt
 * asynchronously, and on failure follows the {@link RetryPolicy} (redirect to a hinted leader at once; refresh the
 * leader and back off; or fail) until the operation's overall deadline. Each operation is driven by a
 * {@link RetryingCall}.
 *
 * <p>Owns the {@link NodeDirectory} (channels), the {@link LeaderTracker}, a one-thread scheduler used only for
 * timing backoffs, and a small fixed worker pool (one thread per core, at least two) that runs retries, so user
 * callbacks attached to result futures never run on the timer thread. No thread is held per request: thousands of
 * operations can be in flight.
 *
 * <p>Thread-safe.
 */
final class ClusterRouter implements AutoCloseable {

    private final ClientConfig config;
    private final NodeDirectory directory;
    private final ClusterProbe probe;
    private final LeaderTracker leaders;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ExecutorService worker;
    private final Set<RetryingCall<?>> active = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ClusterRouter(ClientConfig config) {
        this.config = config;
        this.directory = new NodeDirectory(config.seeds(), config.channelFactory());
        this.probe = new ClusterProbe(directory, config);
        this.scheduler = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("dledger-client-timer"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        int workers = Math.max(2, Runtime.getRuntime().availableProcessors());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(workers, workers, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), DaemonThreads.named("dledger-client-worker"));
        pool.allowCoreThreadTimeOut(true);
        this.worker = pool;
        this.leaders = new LeaderTracker(directory, probe, (task, delay) -> schedule(task, delay) != null,
                config.refreshProbeTimeoutNanos());
    }

    ClientConfig config() {
        return config;
    }

    NodeDirectory directory() {
        return directory;
    }

    ClusterProbe probe() {
        return probe;
    }

    LeaderTracker leaders() {
        return leaders;
    }

    boolean isClosed() {
        return closed;
    }

    /** The overall deadline ({@link System#nanoTime()} based) of an operation starting now. */
    long deadlineFromNow() {
        return System.nanoTime() + config.operationTimeout().toNanos();
    }

    /** Runs {@code op} with the default overall deadline. */
    <R> CompletableFuture<R> execute(Operation<?, R> op) {
        return execute(op, deadlineFromNow());
    }

    /** Runs {@code op}, retrying until {@code deadlineNanos}; the future fails with a {@link DLedgerException}. */
    <R> CompletableFuture<R> execute(Operation<?, R> op, long deadlineNanos) {
        RetryingCall<R> call = new RetryingCall<>(this, op, deadlineNanos);
        active.add(call);
        call.result().whenComplete((v, e) -> active.remove(call));
        if (closed) {
            call.abort(Errors.closed("client"));
        } else {
            call.start();
        }
        return call.result();
    }

    /**
     * Runs {@code task} on the worker pool after {@code delayNanos} (at once when {@code <= 0}).
     *
     * @return a handle to cancel it, or {@code null} when the client is closed and the task will not run
     */
    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        if (closed) {
            return null;
        }
        try {
            return scheduler.schedule(() -> runOnWorker(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    private void runOnWorker(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            // closing: close() fails every active call
        }
    }

    /** Fails every operation still running, then shuts the executors and the channels down. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RetryingCall<?>> calls = new ArrayList<>(active);
        calls.forEach(RetryingCall::abortClosing);
        scheduler.shutdownNow();
        worker.shutdown();
        leaders.close();
        directory.close();
    }
}
