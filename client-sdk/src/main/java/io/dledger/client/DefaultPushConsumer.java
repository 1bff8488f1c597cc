package io.dledger.client;

import io.dledger.proto.FetchOffsetsRequest;
import io.dledger.proto.FetchOffsetsResponse;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.HeartbeatRequest;
import io.dledger.proto.HeartbeatResponse;
import io.dledger.proto.LeaveGroupRequest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PushConsumer} of a {@link DLedgerClient}. A scheduler thread heartbeats the leader, keeps the
 * member's {@link MemberLease} and applies the assignment (a revoked queue is reported as owned until its worker
 * stopped and its offset was committed, so the next owner starts exactly there); the {@link OffsetCommitter}
 * commits processed offsets on its own thread; {@link QueueWorker}s pull and deliver on the worker threads.
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
    private final Map<Integer, QueueWorker> active = new ConcurrentHashMap<>();
    private final Map<Integer, QueueWorker> stopping = new ConcurrentHashMap<>();
    /** Stopped because the group may have given their queues away: never committed, not reported as owned. */
    private final Map<Integer, QueueWorker> fenced = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> served = new ConcurrentHashMap<>();
    private final AtomicLong processed = new AtomicLong();
    private volatile boolean closed;
    /** Set first by close(): messages not yet accepted are no longer delivered (nor retried, nor parked). */
    private volatile boolean closing;
    private int topicMissingAnswers; // heartbeat thread only

    DefaultPushConsumer(ClusterRouter router, PushConsumerOptions options, MessageListener listener, Producer parker,
                        DefaultAdminClient admin) {
        this.router = router;
        this.options = options;
        this.listener = listener;
        this.puller = new DefaultPullConsumer(router);
        this.parker = new RetryTopicParker(options.retryTopic(), admin, parker);
        this.admin = admin;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                DaemonThreads.named("dledger-consumer-" + options.group()));
        this.committer = new OffsetCommitter(router, options, lease);
        this.workers = Executors.newFixedThreadPool(options.threads(), DaemonThreads.named("dledger-consumer-worker"));
    }

    @Override
    public void start() {
        scheduler.execute(this::heartbeat);
        committer.start(() -> active);
    }

    /**
     * Heartbeats the group and applies its answer. A heartbeat waits no longer than the {@link MemberLease} has
     * left, and when the lease ends without an answer the member stops consuming ({@link #fence}) before the
     * broker can hand its queues to another.
     */
    private void heartbeat() {
        if (closed) {
            return;
        }
        long sent = System.nanoTime();
        long leaseLeft = lease.leftNanos(sent);
        if (leaseLeft <= 0) {
            fence("lost contact with group " + options.group() + " for " + lease.sinceLastAnsweredMs() + " ms");
        }
        Set<Integer> owned = new HashSet<>(active.keySet());
        owned.addAll(stopping.keySet());
        HeartbeatRequest req = HeartbeatRequest.newBuilder().setGroup(options.group()).setTopic(options.topic())
                .setMemberId(options.memberId()).addAllOwnedQueues(owned).build();
        long wait = owned.isEmpty() ? TimeUnit.SECONDS.toNanos(5) : Math.min(TimeUnit.SECONDS.toNanos(5), leaseLeft);
        try {
            HeartbeatResponse r = Errors.await(router.execute(Operations.heartbeat(req), sent + wait));
            lease.answered(sent, r.getHeartbeatIntervalMs(), r.getSessionTimeoutMs());
            topicMissingAnswers = 0;
            reconcile(new HashSet<>(r.getQueuesList()));
        } catch (DLedgerException e) {
            LOG.debug("heartbeat of {} failed: {}", options.memberId(), e.getMessage());
            topicMissingAnswers = e.code() == ErrorCode.TOPIC_NOT_FOUND ? topicMissingAnswers + 1 : 0;
            if (topicMissingAnswers >= 2) {
                // deleted: nothing left to consume (twice, so one answer of a deposed leader does not pause us)
                fence("topic " + options.topic() + " no longer exists");
            } else if (lease.leftNanos(System.nanoTime()) <= 0) {
                // the group may give our queues to others from now on
                fence("lost contact with group " + options.group() + " for " + lease.sinceLastAnsweredMs() + " ms");
            }
        } finally {
            if (!closed) {
                scheduler.schedule(this::heartbeat, lease.heartbeatMs(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Out of touch with the group for the lease: stop consuming until a heartbeat succeeds again. The stopped
     * queues' offsets are not committed (another member may own them by then and be further on); what this
     * member processed since its last commit is delivered again to the next owner.
     */
    private void fence(String why) {
        if (active.isEmpty() && stopping.isEmpty()) {
            return;
        }
        Set<Integer> queues = new java.util.TreeSet<>(active.keySet());
        queues.addAll(stopping.keySet());
        LOG.warn("member {}: {}; pausing its queues {}", options.memberId(), why, queues);
        active.forEach((q, w) -> {
            w.stop();
            fenced.put(q, w);
        });
        active.clear();
        fenced.putAll(stopping);
        stopping.clear();
    }

    /** Starts workers for newly granted queues; stops revoked ones and commits their offsets. */
    private void reconcile(Set<Integer> granted) {
        if (closed) {
            return;
        }
        for (Integer q : Set.copyOf(active.keySet())) {
            if (!granted.contains(q)) {
                QueueWorker w = active.remove(q);
                w.stop();
                stopping.put(q, w);
            }
        }
        stopping.forEach((q, w) -> {
            if (w.isIdle()) { // reported as owned until its final commit landed
                committer.commitFinal(q, w, () -> stopping.remove(q, w));
            }
        });
        fenced.values().removeIf(QueueWorker::isIdle);
        Set<Integer> fresh = new HashSet<>(granted);
        fresh.removeAll(active.keySet());
        fresh.removeAll(stopping.keySet());
        fresh.removeAll(fenced.keySet()); // granted again, but its old worker is still finishing a message
        if (fresh.isEmpty() || closing) { // a closing member starts no more workers
            return;
        }
        Map<Integer, Long> starts = startOffsets(fresh);
        for (Integer q : fresh) {
            QueueWorker w = new QueueWorker(this, q, starts.get(q));
            committer.started(q, starts.get(q));
            active.put(q, w);
            w.start();
        }
        LOG.info("member {} of group {} now consumes queues {} of {}", options.memberId(), options.group(),
                new TreeMap<>(active).keySet(), options.topic());
    }

    /** Where newly granted queues start; asked no longer than the lease lasts (this runs on the heartbeat thread). */
    private Map<Integer, Long> startOffsets(Set<Integer> queues) {
        long deadline = lease.deadline(router.deadlineFromNow());
        FetchOffsetsResponse r = Errors.await(router.execute(Operations.fetchOffsets(FetchOffsetsRequest.newBuilder()
                .setGroup(options.group()).setTopic(options.topic()).build()), deadline));
        Map<Integer, Long> starts = new HashMap<>();
        r.getOffsetsList().forEach(o -> starts.put(o.getQueue(), o.getOffset()));
        TopicDescription d = null;
        for (Integer q : queues) {
            if (!starts.containsKey(q)) {
                if (d == null) {
                    d = Errors.await(admin.describeTopic(options.topic(), deadline));
                }
                QueueRange range = d.queueRanges().get(q);
                starts.put(q, options.startFromEarliest() ? range.minOffset() : range.maxOffset());
            }
        }
        return starts;
    }

    @Override
    public boolean deliver(ReceivedMessage m) {
        for (int attempt = 0; attempt <= options.maxRetries(); attempt++) {
            if (closing) {
                return false;
            }
            try {
                listener.onMessage(m);
                processed.incrementAndGet();
                return true;
            } catch (Exception | LinkageError | AssertionError | StackOverflowError e) { // a listener bug: failed attempt
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
        parker.park(m); // to the retry topic, so it does not block its queue
        return true;
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
            scheduler.schedule(() -> workers.execute(task), delayMs, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public Set<Integer> assignedQueues() {
        return Set.copyOf(active.keySet());
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
        if (closing) {
            return;
        }
        closing = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) { // stopped on every pass: a heartbeat that was reconciling as closing began may have added one
            active.values().forEach(QueueWorker::stop);
            if (active.values().stream().allMatch(QueueWorker::isIdle) || System.nanoTime() >= deadline) {
                break;
            }
            sleep(10);
        }
        closed = true;
        committer.stop(); // a periodic or final commit in progress lands first (within the lease)
        try {
            Map<Integer, Long> last = new HashMap<>();
            active.forEach((q, w) -> last.put(q, w.processedOffset()));
            committer.commit(last);
            Errors.await(router.execute(Operations.leaveGroup(LeaveGroupRequest.newBuilder().setGroup(options.group())
                    .setTopic(options.topic()).setMemberId(options.memberId()).build())));
        } catch (DLedgerException e) {
            LOG.warn("member {} could not commit or leave cleanly: {}", options.memberId(), e.getMessage());
        } finally {
            scheduler.shutdownNow();
            workers.shutdownNow();
            parker.close();
            puller.close();
        }
    }
}
