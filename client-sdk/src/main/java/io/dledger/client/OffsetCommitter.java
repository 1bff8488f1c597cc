package io.dledger.client;

import io.dledger.proto.CommitOffsetsRequest;
import io.dledger.proto.QueueOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a push consumer's processed offsets on a thread of its own, so a slow commit never delays the heartbeats
 * that keep the member's lease: periodically for the queues it consumes, and once more for a queue the group
 * revoked. Commits run one at a time in the order asked, so a periodic commit still being retried cannot land
 * after a queue's final one, and none is sent after the lease ended (it could land after the group gave the queue
 * to another member and move that member's progress back). Each names the member, so the leader refuses it when
 * the member's session is over or another member holds the queue, and the topic incarnation its workers consume, so
 * that offsets of a topic deleted and created again since are refused ({@link ErrorCode#TOPIC_REPLACED}), not
 * stored as the new topic's.
 *
 * <p>Thread-safe.
 */
final class OffsetCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetCommitter.class);

    private final ClusterRouter router;
    private final PushConsumerOptions options;
    private final MemberLease lease;
    private final ScheduledExecutorService executor;
    private final Map<Integer, Long> committed = new ConcurrentHashMap<>();
    private final Set<Integer> finalCommits = ConcurrentHashMap.newKeySet();

    OffsetCommitter(ClusterRouter router, PushConsumerOptions options, MemberLease lease) {
        this.router = router;
        this.options = options;
        this.lease = lease;
        this.executor = Executors.newSingleThreadScheduledExecutor(
                DaemonThreads.named("dledger-consumer-commit-" + options.group()));
    }

    /** Commits the processed offsets of {@code active}'s queues every commit interval, when they moved. */
    private int failuresInRow; // commit thread only

    void start(Supplier<Map<Integer, QueueWorker>> active) {
        long ms = Math.max(50, QueueWorker.millis(options.commitInterval()));
        executor.scheduleWithFixedDelay(() -> {
            Map<Integer, QueueWorker> dirty = new HashMap<>();
            active.get().forEach((q, w) -> {
                if (!Long.valueOf(w.processedOffset()).equals(committed.get(q))) {
                    dirty.put(q, w);
                }
            });
            try {
                commitProcessed(dirty);
                failuresInRow = 0;
            } catch (DLedgerException e) {
                failuresInRow++;
                // bad input (also how an older broker refuses a member) is worth a WARN at once, other failures once
                // they persist: what is not committed is delivered again after a rebalance. NOT_GROUP_MEMBER is one
                // of the others: a leader elected moments ago knows this member after its next heartbeat
                boolean badInput = e.code() == ErrorCode.INVALID_ARGUMENT;
                if ((badInput && failuresInRow == 1) || failuresInRow == 3 || failuresInRow % 30 == 0) {
                    LOG.warn("offset commit of group {} failed {} time(s) in a row (retried next time): {}",
                            options.group(), failuresInRow, e.getMessage());
                } else {
                    LOG.debug("offset commit of group {} failed (retried next time): {}", options.group(),
                            e.getMessage());
                }
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** A queue starts at {@code offset}, the group's committed offset. */
    void started(int queue, long offset) {
        committed.put(queue, offset);
    }

    /**
     * A queue starts where the start policy put it (the group had no committed offset): its worker's offset is
     * committed at once, on the commit thread, so a member that takes the queue over (this one may die before
     * its first periodic commit) starts there too, instead of at the queue's end again, past what was written
     * meanwhile. A failed commit is retried by the periodic commits.
     */
    void startedUncommitted(int queue, QueueWorker worker) {
        committed.remove(queue); // what this member committed when it held the queue before counts no more
        try {
            executor.execute(() -> {
                if (committed.containsKey(queue) || worker.stopped()) {
                    return; // a periodic commit was first, or the queue was revoked or fenced meanwhile
                }
                try {
                    commit(Map.of(queue, worker.processedOffset()), worker.incarnation());
                } catch (DLedgerException e) {
                    LOG.debug("first commit of queue {} failed (retried at the next interval): {}", queue,
                            e.getMessage());
                }
            });
        } catch (RejectedExecutionException closing) {
            // the consumer is closing: its close() commits the processed offsets itself
        }
    }

    /**
     * Commits revoked {@code queue}'s offset once its worker stopped, after any commit of it in progress; runs
     * {@code onReleased} when it landed, or when the leader refused it for good (the group's committed offsets at
     * their limit, the topic replaced, a token that may not commit): the queue is then given up uncommitted, so the
     * group moves it on, and its next owner starts at the last commit that landed. One that failed for a while
     * (no leader, a timeout, a new leader that has not had this member's heartbeat yet, a full disk) is asked again
     * later by the caller.
     */
    void commitFinal(int queue, QueueWorker worker, Runnable onReleased) {
        if (!finalCommits.add(queue)) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    if (commit(Map.of(queue, worker.processedOffset()), worker.incarnation())) {
                        onReleased.run();
                    }
                } catch (DLedgerException e) {
                    if (!refusedForGood(e.code())) {
                        LOG.debug("final commit of queue {} failed (retried after the next heartbeat): {}", queue,
                                e.getMessage());
                    } else {
                        LOG.warn("final commit of revoked queue {} of {} refused: {}; the queue is released "
                                + "uncommitted: its next owner starts at the group's last committed offset and may "
                                + "deliver messages processed here again", queue, options.topic(), e.getMessage());
                        onReleased.run();
                    }
                } finally {
                    finalCommits.remove(queue);
                }
            });
        } catch (RejectedExecutionException closing) {
            finalCommits.remove(queue); // the consumer is closing: its close() commits the processed offsets itself
        }
    }

    /**
     * Whether a commit refused with {@code code} would be refused again whatever happens meanwhile: not a new leader
     * that has not had the member's heartbeat yet ({@code NOT_GROUP_MEMBER}), nor a disk that fills and frees
     * ({@code STORAGE_FULL}).
     */
    private static boolean refusedForGood(ErrorCode code) {
        return code == ErrorCode.LIMIT_EXCEEDED || code == ErrorCode.TOPIC_REPLACED
                || code == ErrorCode.PERMISSION_DENIED || code == ErrorCode.UNAUTHENTICATED;
    }

    /**
     * Stops the periodic commits and waits (up to 10 s) for a commit in progress; then {@link #commitProcessed} is
     * safe.
     */
    void stop() {
        DaemonThreads.awaitShutdown(executor, 10);
        executor.shutdownNow();
    }

    /**
     * Commits the processed offsets of {@code workers}' queues now, like {@link #commit}: one commit per topic
     * incarnation among them (normally one), each sent whatever became of the others. Offsets of a topic deleted and
     * created again since ({@link ErrorCode#TOPIC_REPLACED}) are dropped: their queues start over in the new topic.
     *
     * @throws DLedgerException the first failure or refusal other than that, once every commit was tried
     */
    void commitProcessed(Map<Integer, QueueWorker> workers) {
        Map<Long, Map<Integer, Long>> byIncarnation = new HashMap<>();
        workers.forEach((q, w) -> byIncarnation.computeIfAbsent(w.incarnation(), i -> new HashMap<>())
                .put(q, w.processedOffset()));
        DLedgerException first = null;
        for (Map.Entry<Long, Map<Integer, Long>> e : byIncarnation.entrySet()) {
            try {
                commit(e.getValue(), e.getKey());
            } catch (DLedgerException failed) {
                if (failed.code() == ErrorCode.TOPIC_REPLACED) {
                    LOG.debug("offsets {} of group {} are of a replaced topic: dropped", e.getValue(), options.group());
                } else if (first == null) {
                    first = failed;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Commits {@code offsets} of topic incarnation {@code incarnation} ({@code 0}: any) now, no later than the lease
     * ends; false when the lease is already over (nothing sent). On the committer thread, or through
     * {@link #commitProcessed} by the consumer's close() after {@link #stop}.
     *
     * @throws DLedgerException when the commit failed or the leader refused it
     */
    private boolean commit(Map<Integer, Long> offsets, long incarnation) {
        if (offsets.isEmpty()) {
            return true;
        }
        long deadline = lease.deadline(router.deadlineFromNow());
        if (deadline - System.nanoTime() <= 0) {
            return false;
        }
        CommitOffsetsRequest.Builder b = CommitOffsetsRequest.newBuilder().setGroup(options.group())
                .setTopic(options.topic()).setMemberId(options.memberId()).setTopicIncarnation(incarnation);
        offsets.forEach((q, o) -> b.addOffsets(QueueOffset.newBuilder().setQueue(q).setOffset(o)));
        Errors.await(router.execute(Operations.commitOffsets(b.build()), deadline));
        committed.putAll(offsets);
        return true;
    }
}
