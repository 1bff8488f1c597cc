package io.dledger.broker.server;

import com.google.protobuf.UnsafeByteOperations;
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
import io.dledger.broker.store.ReadRejectedException;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.PullRequest;
import io.dledger.proto.PullResponse;
import io.dledger.proto.PullSuggestion;
import io.dledger.proto.StoredMessage;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Serves Pull on any node: reads what this node has applied (always committed data), optionally after
 * a Raft ReadIndex round (read-your-writes on a follower), optionally waiting for new messages (long
 * polling), and attaches the {@link ReadRouter}'s suggestion of where to pull next. A follower asked for what it
 * may not have received yet (past the end of its queue, an unknown topic) points to the leader instead of
 * refusing the pull ({@link ReadRouter#notHereYet}). Runs on the read executor, never on gRPC's I/O threads.
 */
final class PullHandler {
    static final int MAX_WAIT_MS = 30_000;
    private static final int DEFAULT_MAX_MESSAGES = 32;

    private final NodeConfig config;
    private final MessageStore store;
    private final BrokerStateMachine fsm;
    private final RaftNode raft;
    private final ReadRouter router;
    private final LoadMeter pulls;
    private final PullWaiters waiters;
    private final Executor reads;
    private final LeaderCommitProbe commitProbe;

    PullHandler(NodeConfig config, MessageStore store, BrokerStateMachine fsm, RaftNode raft, ReadRouter router,
                LoadMeter pulls, PullWaiters waiters, Executor reads, LeaderCommitProbe commitProbe) {
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
        try {
            RequestValidator.checkTopicName(req.getTopic());
            if (req.getQueue() < 0 || req.getOffset() < 0 || req.getMaxMessages() < 0 || req.getMaxBytes() < 0
                    || req.getMaxWaitMs() < 0) {
                throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT,
                        "queue, offset, max_messages, max_bytes and max_wait_ms must not be negative");
            }
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(req.getMaxWaitMs(), MAX_WAIT_MS));
        if (!req.getReadYourWrites()) {
            reads.execute(() -> serve(req, out, waitUntil));
            return;
        }
        raft.readIndex(index -> reads.execute(() -> serve(req, out, waitUntil)), // applied up to the read index
                why -> out.onError(RpcErrors.error(ErrorCode.NODE_UNAVAILABLE, "read-your-writes check with the "
                        + "leader failed (" + why + "); retry")));
    }

    private void serve(PullRequest req, StreamObserver<PullResponse> out, long waitUntil) {
        if (out instanceof ServerCallStreamObserver<PullResponse> s && s.isCancelled()) {
            return;
        }
        try {
            int maxMessages = req.getMaxMessages() == 0 ? DEFAULT_MAX_MESSAGES
                    : Math.min(req.getMaxMessages(), config.pullMaxMessages());
            int maxBytes = req.getMaxBytes() == 0 ? config.pullMaxBytes()
                    : Math.min(req.getMaxBytes(), config.pullMaxBytes());
            List<MessageRecord> records = store.read(req.getTopic(), req.getQueue(), req.getOffset(), maxMessages,
                    maxBytes);
            long[] range = store.queueRange(req.getTopic(), req.getQueue());
            long remaining = TimeUnit.NANOSECONDS.toMillis(waitUntil - System.nanoTime());
            if (records.isEmpty() && remaining > 0 && req.getOffset() >= range[1]) {
                Runnable wakeNow = waiters.await(req.getTopic(), req.getQueue(), remaining,
                        () -> serve(req, out, waitUntil));
                if (store.queueRange(req.getTopic(), req.getQueue())[1] > req.getOffset()) {
                    wakeNow.run(); // published while we registered
                }
                return;
            }
            long next = req.getOffset() + records.size();
            PullResponse.Builder b = PullResponse.newBuilder().setServedBy(config.nodeId()).setNextOffset(next)
                    .setMinOffset(range[0]).setMaxOffset(range[1])
                    .setSuggestion(suggest(req));
            for (MessageRecord m : records) {
                b.addMessages(toProto(m));
            }
            out.onNext(b.build());
            out.onCompleted();
        } catch (ReadRejectedException e) {
            if (!sentElsewhere(req, out, e)) {
                out.onError(RpcErrors.fromRead(e));
            }
        } catch (StatusRuntimeException e) {
            out.onError(e);
        } catch (RuntimeException | InternalError e) {
            // InternalError: a fault in a mapped page that the JVM reported only after the store's read was done
            out.onError(RpcErrors.internal("pull of " + req.getTopic() + "/" + req.getQueue(), e));
        }
    }

    /**
     * A follower asked past the end of its queue, or for a topic or queue it does not know, may only lag: it answers
     * with no messages, {@code next_offset} the offset asked for, and sends the consumer to the leader, which
     * decides. While it knows no leader it refuses the pull as retryable ({@code NODE_UNAVAILABLE}). False when the
     * rejection stands: on the leader, or for an offset below the first one kept (retention is no lag).
     */
    private boolean sentElsewhere(PullRequest req, StreamObserver<PullResponse> out, ReadRejectedException e) {
        boolean mayLag = e.reason() != ReadRejectedException.Reason.OFFSET_OUT_OF_RANGE
                || req.getOffset() > e.maxOffset();
        if (!mayLag || fsm.isLeader()) {
            return false;
        }
        ReadRouter.Suggestion r = router.notHereYet(situation(req));
        if (r == null) {
            out.onError(RpcErrors.error(ErrorCode.NODE_UNAVAILABLE, e.getMessage() + " on " + config.nodeId()
                    + ", which may lag and knows no leader to send the pull to; retry"));
            return true;
        }
        out.onNext(PullResponse.newBuilder().setServedBy(config.nodeId()).setNextOffset(req.getOffset())
                .setMinOffset(e.minOffset()).setMaxOffset(e.maxOffset()).setSuggestion(toProto(r)).build());
        out.onCompleted();
        return true;
    }

    private PullSuggestion suggest(PullRequest req) {
        return toProto(router.suggest(situation(req), req.getTopic(), req.getQueue()));
    }

    private PullSuggestion toProto(ReadRouter.Suggestion r) {
        PeerSpec target = r.node() == null ? config.self() : r.node();
        return PullSuggestion.newBuilder().setNode(RpcErrors.nodeRef(target)).setReason(r.reason()).build();
    }

    private ReadSituation situation(PullRequest req) {
        boolean leader = fsm.isLeader();
        PeerSpec knownLeader = raft.leader().orElse(null);
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
