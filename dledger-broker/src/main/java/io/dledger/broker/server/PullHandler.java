package io.dledger.broker.server;

import com.google.protobuf.UnsafeByteOperations;
import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.raft.RaftNode;
import io.dledger.broker.readroute.LeaderCommitProbe;
import io.dledger.broker.readroute.LoadMeter;
import io.dledger.broker.readroute.ReadRouter;
import io.dledger.broker.readroute.ReadSituation;
import io.dledger.broker.statemachine.BrokerStateMachine;
import io.dledger.broker.store.MessageRecord;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.QueueRead;
import io.dledger.broker.store.ReadRejectedException;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.PullRequest;
import io.dledger.proto.PullResponse;
import io.dledger.proto.PullSuggestion;
import io.dledger.proto.StoredMessage;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Serves Pull on any node: reads what this node has applied (always committed data), optionally after
 * a Raft ReadIndex round (read-your-writes on a follower), optionally waiting for new messages (long
 * polling), and attaches the {@link ReadRouter}'s suggestion of where to pull next. A follower asked for what it
 * may not have received yet (past the end of its queue, an unknown topic) points to the leader instead of
 * refusing the pull ({@link #decide}). Runs on the read executor, never on gRPC's I/O threads.
 */
final class PullHandler {
    static final int MAX_WAIT_MS = 30_000;
    private static final int DEFAULT_MAX_MESSAGES = 32;

    /**
     * When a pull's wait ends ({@link System#nanoTime} based), and what wakes it when its caller gives up (a deadline,
     * a cancel, a closed connection): one listener on the gRPC call's context, added at the first park, runs the
     * latest park's wake-up (a pull a tag filter parks again and again adds no more).
     */
    private static final class Wait {
        final long until;
        private final Context call;
        private final AtomicReference<Runnable> wake = new AtomicReference<>();
        private final AtomicBoolean listening = new AtomicBoolean();

        Wait(long until, Context call) {
            this.until = until;
            this.call = call;
        }

        long remainingMs() {
            return TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
        }

        /** {@code wakeNow} runs when the call ends before the pull is answered (at once if it has ended). */
        void wakeOnCallEnd(Runnable wakeNow) {
            wake.set(wakeNow);
            if (listening.compareAndSet(false, true)) {
                call.addListener(ended -> wake.get().run(), Runnable::run);
            } else if (call.isCancelled()) {
                wakeNow.run();
            }
        }
    }

    private final NodeConfig config;
    private final MessageStore store;
    private final BrokerStateMachine fsm;
    private final RaftNode raft;
    private final ReadRouter router;
    private final LoadMeter pulls;
    private final PullWaiters waiters;
    private final ReadExecutor reads;
    private final LeaderCommitProbe commitProbe;

    PullHandler(NodeConfig config, MessageStore store, BrokerStateMachine fsm, RaftNode raft, ReadRouter router,
                LoadMeter pulls, PullWaiters waiters, ReadExecutor reads, LeaderCommitProbe commitProbe) {
        this.commitProbe = commitProbe;
        this.config = config;
        this.store = store;
        this.fsm = fsm;
        this.raft = raft;
        this.router = router;
        this.pulls = pulls;
        this.waiters = waiters;
        this.reads = reads;
    }

    void pull(PullRequest req, StreamObserver<PullResponse> out) {
        pulls.record(1);
        TagFilter filter;
        try {
            RequestValidator.checkTopicName(req.getTopic());
            if (req.getQueue() < 0 || req.getOffset() < 0 || req.getMaxMessages() < 0 || req.getMaxBytes() < 0
                    || req.getMaxWaitMs() < 0 || req.getTopicIncarnation() < 0) {
                throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "queue, offset, max_messages, max_bytes, max_wait_ms "
                        + "and topic_incarnation must not be negative");
            }
            filter = TagFilter.of(req);
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        Wait pullWait = new Wait(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(req.getMaxWaitMs(),
                MAX_WAIT_MS)), Context.current());
        if (!req.getReadYourWrites()) {
            reads.executeOrRefuse(() -> serve(req, filter, out, pullWait), out);
            return;
        }
        // served once this node has applied up to the read index
        raft.readIndex(index -> reads.executeOrRefuse(() -> serve(req, filter, out, pullWait), out),
                why -> out.onError(RpcErrors.error(ErrorCode.NODE_UNAVAILABLE, "read-your-writes check with the "
                        + "leader failed (" + why + "); retry")));
    }

    private void serve(PullRequest req, TagFilter filter, StreamObserver<PullResponse> out, Wait pullWait) {
        if (out instanceof ServerCallStreamObserver<PullResponse> s && s.isCancelled()) {
            return;
        }
        try {
            int maxMessages = req.getMaxMessages() == 0 ? DEFAULT_MAX_MESSAGES
                    : Math.min(req.getMaxMessages(), config.pullMaxMessages());
            int maxBytes = req.getMaxBytes() == 0 ? config.pullMaxBytes()
                    : Math.min(req.getMaxBytes(), config.pullMaxBytes());
            TagFilter.Found found = filter.read(store, req, maxMessages, maxBytes);
            QueueRead read = found.last();
            List<MessageRecord> records = found.records();
            long next = found.nextOffset();
            long remaining = pullWait.remainingMs();
            ReadRouter.Suggestion route = null;
            // at the queue's end (past the messages the filter passed over): wait there (park checks the end again,
            // so a message applied since the read wakes it); a lagging follower sends the consumer to the leader at
            // once instead of holding the pull for its whole wait. Without another node as leader it waits all the
            // same: two followers that know no leader would otherwise send consumers back and forth, unpaused
            if (records.isEmpty() && remaining > 0 && next >= read.maxOffset()) {
                PeerSpec knownLeader = fsm.isLeader() ? null : raft.leader().orElse(null);
                route = knownLeader == null || knownLeader.id().equals(config.nodeId()) ? null
                        : router.suggest(situation(req, false, knownLeader), req.getTopic(), req.getQueue());
                if (route == null || route.node() == null || !route.node().id().equals(knownLeader.id())) {
                    park(next == req.getOffset() ? req : req.toBuilder().setOffset(next).build(), filter, out,
                            pullWait, remaining, next + 1);
                    return;
                }
            }
            PullResponse.Builder b = PullResponse.newBuilder().setServedBy(config.nodeId()).setNextOffset(next)
                    // the one asked for (it matched), else the one read
                    .setTopicIncarnation(req.getTopicIncarnation() != 0 ? req.getTopicIncarnation()
                            : read.incarnation())
                    .setMinOffset(read.minOffset()).setMaxOffset(read.maxOffset())
                    .setSuggestion(route != null ? toProto(route) : suggest(req));
            for (MessageRecord m : records) {
                b.addMessages(toProto(m));
            }
            out.onNext(b.build());
            out.onCompleted();
        } catch (ReadRejectedException e) {
            onRejected(req, filter, out, pullWait, e);
        } catch (StatusRuntimeException e) {
            out.onError(e);
        } catch (RuntimeException | InternalError e) {
            // InternalError: a fault in a mapped page that the JVM reported only after the store's read was done
            out.onError(RpcErrors.internal("pull of " + req.getTopic() + "/" + req.getQueue(), e));
        }
    }

    /** What a node does with a pull its store refused: see {@link #decide}. */
    enum Rejected { REFUSE, WAIT, TO_LEADER, UNAVAILABLE }

    /**
     * A follower asked past the end of its queue, or for a topic or queue it does not know, may only lag, so it does
     * not refuse the pull. Past the end it waits ({@code WAIT}), like a pull at the end, up to the pull's wait for
     * the offset to arrive (it is usually a few entries behind: the leader suggests only caught-up followers),
     * unless the router counts it as lagging. Otherwise ({@code TO_LEADER}) it answers with no messages,
     * {@code next_offset} the offset asked for, and sends the consumer to the leader, which decides. While it knows
     * no leader, or the leader it knows is itself not ready yet (elected, its state machine still catching up), it
     * refuses the pull as retryable ({@code UNAVAILABLE}), so that no consumer is sent around in circles. The
     * leader, and any node for an offset below the first one kept (retention is no lag) or for a topic deleted and
     * created again since the consumer learned it ({@code TOPIC_REPLACED}: a node that applied the new topic knows
     * the old one is gone), refuse ({@code REFUSE}). A follower that has an older topic of the name than the one
     * asked for counts it as a topic it does not know.
     *
     * @param leader      whether this node is the leader and ready to serve
     * @param knownLeader the leader this node knows (itself when elected but not ready yet), or {@code null}
     * @param mayWait     whether the pull has wait time left and the router keeps consumers on this node
     */
    static Rejected decide(ReadRejectedException e, long offset, boolean leader, String self, PeerSpec knownLeader,
                           boolean mayWait) {
        if (leader || e.reason() == ReadRejectedException.Reason.TOPIC_REPLACED
                || (e.reason() == ReadRejectedException.Reason.OFFSET_OUT_OF_RANGE && !pastEnd(e, offset))) {
            return Rejected.REFUSE;
        }
        if (pastEnd(e, offset) && mayWait) {
            return Rejected.WAIT;
        }
        return knownLeader == null || knownLeader.id().equals(self) ? Rejected.UNAVAILABLE : Rejected.TO_LEADER;
    }

    private static boolean pastEnd(ReadRejectedException e, long offset) {
        return e.reason() == ReadRejectedException.Reason.OFFSET_OUT_OF_RANGE && offset > e.maxOffset();
    }

    private void onRejected(PullRequest req, TagFilter filter, StreamObserver<PullResponse> out, Wait pullWait,
                            ReadRejectedException e) {
        boolean leader = fsm.isLeader();
        PeerSpec knownLeader = leader ? null : raft.leader().orElse(null);
        long remaining = pullWait.remainingMs();
        // only a pull past the end may wait, so only that one needs the router's view
        boolean mayWait = !leader && pastEnd(e, req.getOffset()) && remaining > 0
                && router.suggest(situation(req, false, knownLeader), req.getTopic(), req.getQueue()).node() == null;
        switch (decide(e, req.getOffset(), leader, config.nodeId(), knownLeader, mayWait)) {
            case REFUSE -> out.onError(RpcErrors.fromRead(e));
            case WAIT -> park(req, filter, out, pullWait, remaining, req.getOffset());
            case UNAVAILABLE -> out.onError(RpcErrors.error(ErrorCode.NODE_UNAVAILABLE, e.getMessage() + " on "
                    + config.nodeId() + ", which may lag behind and " + (knownLeader == null ? "knows no leader"
                    : "is a leader not ready yet") + " to send the pull to; retry"));
            case TO_LEADER -> {
                out.onNext(PullResponse.newBuilder().setServedBy(config.nodeId()).setNextOffset(req.getOffset())
                        .setMinOffset(e.minOffset()).setMaxOffset(e.maxOffset())
                        .setTopicIncarnation(req.getTopicIncarnation()) // the consumer's, unconfirmed: still to check
                        .setSuggestion(toProto(new ReadRouter.Suggestion(knownLeader, ReadRouter.FOLLOWER_BEHIND)))
                        .build());
                out.onCompleted();
            }
        }
    }

    /**
     * Long polling: the pull runs again once the queue's end reaches {@code wakeAtEnd} (new messages were applied)
     * or {@code remainingMs} passed, whichever comes first; refused with {@code BUSY} when too many pulls wait.
     */
    private void park(PullRequest req, TagFilter filter, StreamObserver<PullResponse> out, Wait pullWait,
                      long remainingMs, long wakeAtEnd) {
        Runnable wakeNow = waiters.await(req.getTopic(), req.getQueue(), remainingMs,
                () -> serve(req, filter, out, pullWait));
        if (wakeNow == null) {
            out.onError(RpcErrors.busy("pulls waiting", config.nodeId(), ConfigKey.PULL_MAX_WAITING,
                    config.pullMaxWaiting()));
            return;
        }
        // a caller that gives up (its deadline, a cancel, a closed connection) frees the place at once: the pull runs,
        // finds the call cancelled and answers nothing; the listener also runs, doing nothing, when the call ends
        pullWait.wakeOnCallEnd(wakeNow);
        if (store.queueRange(req.getTopic(), req.getQueue())[1] >= wakeAtEnd) {
            wakeNow.run(); // applied while we registered
        }
    }

    private PullSuggestion suggest(PullRequest req) {
        return toProto(router.suggest(situation(req), req.getTopic(), req.getQueue()));
    }

    private PullSuggestion toProto(ReadRouter.Suggestion r) {
        PeerSpec target = r.node() == null ? config.self() : r.node();
        return PullSuggestion.newBuilder().setNode(RpcErrors.nodeRef(target)).setReason(r.reason()).build();
    }

    private ReadSituation situation(PullRequest req) {
        return situation(req, fsm.isLeader(), raft.leader().orElse(null));
    }

    /** The situation of {@code req} on this node, which {@code leader}s or else knows {@code knownLeader}. */
    private ReadSituation situation(PullRequest req, boolean leader, PeerSpec knownLeader) {
        List<PeerSpec> others = leader || knownLeader != null ? List.of()
                : raft.peers().current().stream().filter(p -> !p.id().equals(config.nodeId())).toList();
        long applyLag;
        try {
            // committed here but not applied, or (the probe) behind the leader's commit in receiving entries
            applyLag = leader ? 0 : Math.max(raft.commitIndex() - raft.appliedIndex(), commitProbe.lagEntries());
        } catch (RuntimeException e) {
            // JRaft refuses while the node is not active (stopped by an error): read elsewhere
            applyLag = Long.MAX_VALUE;
        }
        return new ReadSituation(leader, knownLeader, leader ? raft.followerLags() : List.of(),
                store.bytesBehindHead(req.getTopic(), req.getQueue(), req.getOffset()), applyLag, others);
    }

    static StoredMessage toProto(MessageRecord m) {
        StoredMessage.Builder b = StoredMessage.newBuilder().setTopic(m.topic()).setQueue(m.queue())
                .setOffset(m.offset()).setStoreTimestamp(m.storeTimestamp()).setKey(m.key()).setTags(m.tags())
                .setBody(UnsafeByteOperations.unsafeWrap(m.body())).setRaftIndex(m.raftIndex());
        if (!m.properties().isEmpty()) { // an empty map still costs the builder a map field per message
            b.putAllProperties(m.properties());
        }
        return b.build();
    }
}
