package io.dledger.client;

import io.dledger.proto.FetchOffsetsRequest;
import io.dledger.proto.FetchOffsetsResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queues a push-consumer member owns, and their {@link QueueWorker}s, in three states:
 * <ul>
 *   <li>active: granted by the group's last answer, consumed;</li>
 *   <li>stopping: revoked, reported to the group as still owned until the worker stopped and its final offset
 *       was committed, so the next owner starts exactly there;</li>
 *   <li>fenced: stopped because the member's {@link MemberLease} ran out (the group may have given the queues
 *       away), the topic is gone, or it was replaced (the offsets are the old topic's): never committed and not
 *       reported as owned; a queue granted again waits until its old worker is idle, then starts afresh.</li>
 * </ul>
 *
 * <p>Thread-safety: {@link #reconcile}, {@link #fence} and {@link #restartIfReplaced} run on the consumer's heartbeat
 * thread only; the maps are concurrent so that the committer, {@code close()} and the accessors may read them from
 * other threads.
 */
final class QueueAssignment {
    private static final Logger LOG = LoggerFactory.getLogger(QueueAssignment.class);

    private final PushConsumerOptions options;
    private final ClusterRouter router;
    private final DefaultAdminClient admin;
    private final MemberLease lease;
    private final OffsetCommitter committer;
    private final WorkerFactory newWorker;
    private final Map<Integer, QueueWorker> active = new ConcurrentHashMap<>();
    private final Map<Integer, QueueWorker> stopping = new ConcurrentHashMap<>();
    private final Map<Integer, QueueWorker> fenced = new ConcurrentHashMap<>();
    /** The code of the last failure to place newly granted queues, until they are placed: logged once a streak. */
    private ErrorCode startFailure;

    /** Makes the (not yet started) worker of a queue of topic incarnation {@code incarnation}, from {@code offset}. */
    interface WorkerFactory {
        QueueWorker make(int queue, long offset, long incarnation);
    }

    /** {@code newWorker} makes the workers of granted queues. */
    QueueAssignment(PushConsumerOptions options, ClusterRouter router, DefaultAdminClient admin, MemberLease lease,
                    OffsetCommitter committer, WorkerFactory newWorker) {
        this.options = options;
        this.router = router;
        this.admin = admin;
        this.lease = lease;
        this.committer = committer;
        this.newWorker = newWorker;
    }

    /** The consumed queues' workers, live (the committer's view). */
    Map<Integer, QueueWorker> active() {
        return active;
    }

    /** What a heartbeat reports as owned: the active and the stopping queues. */
    Set<Integer> owned() {
        return held().keySet();
    }

    /**
     * Out of touch with the group for the lease (or its topic is gone): stop consuming until a heartbeat succeeds
     * again. The stopped queues' offsets are not committed (another member may own them by then and be further on);
     * what this member processed since its last commit is delivered again to the next owner.
     */
    void fence(String why) {
        if (active.isEmpty() && stopping.isEmpty()) {
            return;
        }
        LOG.warn("member {}: {}; pausing its queues {}", options.memberId(), why, new TreeSet<>(owned()));
        stopUncommitted();
    }

    /** Stops the active and the revoked queues without committing them: they become fenced. */
    private void stopUncommitted() {
        active.forEach((q, w) -> {
            w.stop();
            fenced.put(q, w);
        });
        active.clear();
        fenced.putAll(stopping);
        stopping.clear();
    }

    /**
     * The topic's incarnation now, as the group's answer gives it ({@code 0}: unknown). A member whose workers consume
     * an older one (the topic was deleted and created again since they started; incarnations only grow) fences its
     * queues: their offsets are the old topic's and are not committed; the next {@link #reconcile} starts them over
     * from the group's offsets in the new topic (or the start policy), as for a queue newly granted. Workers that
     * started without knowing the incarnation (0) start over too: at worst some messages come again. An answer with
     * an older incarnation than the workers' (a deposed leader that lags) changes nothing.
     */
    void restartIfReplaced(long now) {
        if (now != 0 && java.util.stream.Stream.concat(active.values().stream(), stopping.values().stream())
                .anyMatch(w -> w.incarnation() < now)) {
            LOG.warn("member {}: topic {} was deleted and created again (incarnation {}); its queues {} start over in "
                    + "the new topic, from the group's offsets there", options.memberId(), options.topic(), now,
                    new TreeSet<>(owned()));
            stopUncommitted();
        }
    }

    /**
     * Applies the group's answer: stops revoked queues and commits their offsets once their workers are idle; when
     * {@code startNew}, starts workers for newly granted queues (a closing member starts none).
     */
    void reconcile(Set<Integer> granted, boolean startNew) {
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
        if (fresh.isEmpty() || !startNew) {
            return;
        }
        Map<Integer, Start> starts;
        try {
            starts = startOffsets(fresh);
            startFailure = null;
        } catch (DLedgerException e) {
            if (e.code() != startFailure) { // once per streak: the queues wait, asked again at every heartbeat
                startFailure = e.code();
                LOG.warn("member {} of group {}: cannot start queues {} of {} ({}); trying again at the next "
                        + "heartbeat", options.memberId(), options.group(), new TreeSet<>(fresh), options.topic(),
                        e.getMessage());
            }
            throw e;
        }
        for (Integer q : fresh) {
            Start start = starts.get(q);
            QueueWorker w = newWorker.make(q, start.offset(), start.incarnation());
            active.put(q, w);
            if (start.committed()) {
                committer.started(q, start.offset());
            } else {
                committer.startedUncommitted(q, w);
            }
            w.start();
        }
        LOG.info("member {} of group {} now consumes queues {} of {}", options.memberId(), options.group(),
                new TreeMap<>(active).keySet(), options.topic());
    }

    /**
     * Where a granted queue starts, whether that is the group's committed offset (or the start policy's), and the topic
     * incarnation that offset belongs to.
     */
    private record Start(long offset, boolean committed, long incarnation) {
    }

    /** Where newly granted queues start; asked no longer than the lease lasts (this runs on the heartbeat thread). */
    private Map<Integer, Start> startOffsets(Set<Integer> queues) {
        long deadline = lease.deadline(router.deadlineFromNow());
        FetchOffsetsResponse r = Errors.await(router.execute(Operations.fetchOffsets(FetchOffsetsRequest.newBuilder()
                .setGroup(options.group()).setTopic(options.topic()).build()), deadline));
        Map<Integer, Start> starts = new HashMap<>();
        long incarnation = r.getTopicIncarnation();
        r.getOffsetsList().forEach(o -> starts.put(o.getQueue(), new Start(o.getOffset(), true, incarnation)));
        // asked after the offsets were fetched: a topic replaced in between gives the new topic's offsets with the old
        // incarnation, which the first pull refuses, and the queue starts over
        int[] uncommitted = queues.stream().filter(q -> !starts.containsKey(q)).mapToInt(Integer::intValue).toArray();
        if (uncommitted.length == 0) {
            return starts;
        }
        if (options.startFromTime() != null) {
            Errors.await(router.execute(Operations.offsetsForTime(options.topic(),
                    options.startFromTime().toEpochMilli(), uncommitted), deadline)).getOffsetsList()
                    .forEach(o -> starts.put(o.getQueue(), new Start(o.getOffset(), false, incarnation)));
            return starts;
        }
        TopicDescription d = Errors.await(admin.describeTopic(options.topic(), deadline));
        for (int q : uncommitted) {
            QueueRange range = d.queueRanges().get(q);
            starts.put(q, new Start(options.startFromEarliest() ? range.minOffset() : range.maxOffset(), false,
                    incarnation));
        }
        return starts;
    }

    /**
     * Stops the active workers; true when every worker is idle (none is inside the listener), the revoked and the
     * fenced ones included: once the member leaves, its queues move at once.
     */
    boolean stopActive() {
        active.values().forEach(QueueWorker::stop);
        return Stream.of(active, stopping, fenced).flatMap(m -> m.values().stream()).allMatch(QueueWorker::isIdle);
    }

    /**
     * The workers of the queues the member still holds, the active ones and the revoked ones whose final commit has
     * not landed: their processed offsets are what a closing member commits last.
     */
    Map<Integer, QueueWorker> held() {
        Map<Integer, QueueWorker> last = new HashMap<>(stopping);
        last.putAll(active);
        return last;
    }
}
