package io.dledger.client;

import io.dledger.proto.HeartbeatRequest;
import io.dledger.proto.HeartbeatResponse;
import io.dledger.proto.LeaveGroupRequest;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PushConsumer} of a {@link DLedgerClient}. A scheduler thread heartbeats the leader, keeps the
 * member's {@link MemberLease} and applies the group's answer to the {@link QueueAssignment}; the
 * {@link OffsetCommitter} commits processed offsets on its own thread; {@link QueueWorker}s pull and deliver on the
 * worker threads.
 *
 * <p>Thread-safe.
 */
final class DefaultPushConsumer implements PushConsumer, QueueWorker.Host {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultPushConsumer.class);

    private final ClusterRouter router;
    private final PushConsumerOptions options;
    private final MessageListener listener;
    private final PullConsumer puller;
    private final RetryTopicParker parker;
    private final DefaultAdminClient admin;
    private final ScheduledExecutorService scheduler;
    private final MemberLease lease = new MemberLease();
    private final OffsetCommitter committer;
    private final ExecutorService workers;
    private final QueueAssignment queues;
    private final Map<String, AtomicLong> served = new ConcurrentHashMap<>();
    private final AtomicLong processed = new AtomicLong();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final CompletableFuture<Void> closeDone = new CompletableFuture<>();
    /** The threads that run the listener: a close() from one of them does not wait for it. */
    private final Set<Thread> workerThreads = ConcurrentHashMap.newKeySet();
    private final java.util.function.Consumer<PushConsumer> onClosed;
    private volatile boolean closed;
    /** Set first by close(): messages not yet accepted are no longer delivered (nor retried, nor parked). */
    private volatile boolean closing;
    private int topicMissingAnswers; // heartbeat thread only

    /** {@code onClosed} runs at the end of {@link #close()} with this consumer. */
    DefaultPushConsumer(ClusterRouter router, PushConsumerOptions options, MessageListener listener, Producer parker,
                        DefaultAdminClient admin, java.util.function.Consumer<PushConsumer> onClosed) {
        this.router = router;
        this.options = options;
        this.listener = listener;
        this.puller = new DefaultPullConsumer(router);
        this.parker = new RetryTopicParker(options.retryTopic(), admin, parker);
        this.admin = admin;
        this.onClosed = onClosed;
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                DaemonThreads.named("dledger-consumer-" + options.group()));
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // close() waits only for a running task
        this.scheduler = timer;
        this.committer = new OffsetCommitter(router, options, lease);
        java.util.concurrent.ThreadFactory named = DaemonThreads.named("dledger-consumer-worker");
        this.workers = Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = named.newThread(r);
            workerThreads.add(t);
            return t;
        });
        this.queues = new QueueAssignment(options, router, admin, lease, committer,
                (q, start, incarnation) -> new QueueWorker(this, q, start, incarnation));
    }

    @Override
    public void start() {
        if (closing) {
            throw Errors.closed("push consumer");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("push consumer of group " + options.group() + " is already started");
        }
        scheduler.execute(this::heartbeat);
        committer.start(queues::active);
    }

    /**
     * Heartbeats the group and applies its answer. A heartbeat waits no longer than the {@link MemberLease} has
     * left, and when the lease ends without an answer the member stops consuming ({@link QueueAssignment#fence})
     * before the broker can hand its queues to another.
     */
    private void heartbeat() {
        if (closed) {
            return;
        }
        long sent = System.nanoTime();
        long leaseLeft = lease.leftNanos(sent);
        if (leaseLeft <= 0) {
            fenceLostContact();
        }
        Set<Integer> owned = queues.owned();
        HeartbeatRequest req = HeartbeatRequest.newBuilder().setGroup(options.group()).setTopic(options.topic())
                .setMemberId(options.memberId()).addAllOwnedQueues(owned).build();
        long wait = owned.isEmpty() ? TimeUnit.SECONDS.toNanos(5) : Math.min(TimeUnit.SECONDS.toNanos(5), leaseLeft);
        try {
            HeartbeatResponse r = Errors.await(router.execute(Operations.heartbeat(req), sent + wait));
            lease.answered(sent, r.getHeartbeatIntervalMs(), r.getSessionTimeoutMs());
            topicMissingAnswers = 0;
            if (!closed) {
                queues.restartIfReplaced(r.getTopicIncarnation());
                queues.reconcile(new HashSet<>(r.getQueuesList()), !closing);
            }
        } catch (DLedgerException e) {
            LOG.debug("heartbeat of {} failed: {}", options.memberId(), e.getMessage());
            topicMissingAnswers = e.code() == ErrorCode.TOPIC_NOT_FOUND ? topicMissingAnswers + 1 : 0;
            if (topicMissingAnswers == 2) { // once per streak (twice, so one answer of a deposed leader is not it)
                LOG.warn("member {} of group {}: topic {} does not exist; it consumes nothing until the topic is "
                        + "created (asked again at every heartbeat)", options.memberId(), options.group(),
                        options.topic());
            }
            if (topicMissingAnswers >= 2) {
                // deleted: nothing left to consume
                queues.fence("topic " + options.topic() + " no longer exists");
            } else if (lease.leftNanos(System.nanoTime()) <= 0) {
                // the group may give our queues to others from now on
                fenceLostContact();
            }
        } finally {
            if (!closed) {
                // no later than the lease's end, so an unanswered member stops consuming in time (not up to an
                // interval late, when its heartbeats fail fast)
                scheduler.schedule(this::heartbeat, lease.nextHeartbeatMs(System.nanoTime()), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** The lease ran out without an answer: the group may give this member's queues to others from now on. */
    private void fenceLostContact() {
        queues.fence("lost contact with group " + options.group() + " for " + lease.sinceLastAnsweredMs() + " ms");
    }

    @Override
    public boolean deliver(ReceivedMessage m, BooleanSupplier owned) {
        for (int attempt = 0; ; attempt++) {
            if (closing || !owned.getAsBoolean()) {
                return false; // another member may have the queue by now: it delivers (or parks) the message
            }
            if (attempt > options.maxRetries()) {
                parker.park(m); // to the retry topic, so it does not block its queue
                return true;
            }
            try {
                listener.onMessage(m);
                processed.incrementAndGet();
                return true;
            } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
                // a listener bug: failed attempt
                if (closing) {
                    return false; // the listener gave up because we are closing: not processed
                }
                LOG.debug("listener failed on {}/{}@{} (attempt {}): {}", m.topic(), m.queue(), m.offset(),
                        attempt + 1, e.toString());
                if (attempt < options.maxRetries()) {
                    sleep(QueueWorker.millis(options.retryBackoff()));
                }
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public PullConsumer puller() {
        return puller;
    }

    @Override
    public java.util.concurrent.Executor workers() {
        return workers;
    }

    @Override
    public PushConsumerOptions options() {
        return options;
    }

    @Override
    public void countServed(String node, int messages) {
        served.computeIfAbsent(node, k -> new AtomicLong()).addAndGet(messages);
    }

    @Override
    public void schedule(Runnable task, long delayMs) {
        if (!closed) {
            try {
                scheduler.schedule(() -> workers.execute(task), delayMs, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // close() stopped the scheduler since the check: the worker is stopped too
            }
        }
    }

    @Override
    public String leaderId() {
        LeaderTracker.LeaderRef leader = router.leaders().current();
        return leader == null || leader.id().isEmpty() ? null : leader.id();
    }

    @Override
    public boolean clientClosed() {
        return router.isClosed();
    }

    @Override
    public long heartbeatIntervalMs() {
        return lease.heartbeatMs();
    }

    @Override
    public Set<Integer> assignedQueues() {
        return Set.copyOf(queues.active().keySet());
    }

    @Override
    public long processed() {
        return processed.get();
    }

    @Override
    public long parked() {
        return parker.parked();
    }

    @Override
    public Map<String, Long> servedBy() {
        Map<String, Long> out = new TreeMap<>();
        served.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public void close() {
        boolean fromListener = workerThreads.contains(Thread.currentThread());
        if (!closeStarted.compareAndSet(false, true)) {
            if (!fromListener) { // another thread closes it (the client's close, say): done once that is
                try {
                    closeDone.get(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // that close is the one to report
                }
            }
            return;
        }
        closing = true;
        try {
            if (started.get()) { // a member that never joined has nothing to commit or leave
                leave();
            }
        } finally {
            scheduler.shutdownNow();
            workers.shutdownNow();
            if (fromListener) {
                Thread.interrupted(); // shutdownNow interrupted the listener's own thread, which closed its consumer
            }
            parker.close();
            puller.close();
            onClosed.accept(this);
            closeDone.complete(null);
        }
    }

    /** Stops the workers, commits what they processed and leaves the group. */
    private void leave() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) { // stopped on every pass: a heartbeat that was reconciling as closing began may have added one
            if (queues.stopActive() || System.nanoTime() >= deadline) {
                break;
            }
            sleep(10);
        }
        closed = true;
        // a heartbeat on its way finishes first (no new one starts): landing after the LeaveGroup, it would join the
        // member again and hold its queues for a session
        DaemonThreads.awaitShutdown(scheduler, 10);
        committer.stop(); // a periodic or final commit in progress lands first (within the lease)
        try {
            committer.commitProcessed(queues.held());
        } catch (DLedgerException e) {
            LOG.warn("member {} could not commit its last offsets (what it processed since its last commit comes "
                    + "again to the queues' next owners): {}", options.memberId(), e.getMessage());
        }
        try { // whatever became of the commit: the queues move at once instead of when the session ends
            Errors.await(router.execute(Operations.leaveGroup(LeaveGroupRequest.newBuilder().setGroup(options.group())
                    .setTopic(options.topic()).setMemberId(options.memberId()).build())));
        } catch (DLedgerException e) {
            LOG.warn("member {} could not leave group {} (its queues move when its session ends): {}",
                    options.memberId(), options.group(), e.getMessage());
        }
    }
}
