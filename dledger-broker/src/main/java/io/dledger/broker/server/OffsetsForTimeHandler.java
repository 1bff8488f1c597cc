package io.dledger.broker.server;

import io.dledger.broker.raft.RaftNode;
import io.dledger.broker.statemachine.BrokerStateMachine;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.OffsetsAtTime;
import io.dledger.broker.store.ReadRejectedException;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.OffsetsForTimeRequest;
import io.dledger.proto.OffsetsForTimeResponse;
import io.dledger.proto.QueueOffset;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.HashSet;
import java.util.Set;

/**
 * Serves OffsetsForTime on the leader: per queue asked, the first offset stored at or after a time
 * ({@link MessageStore#offsetsForTime}, a binary search over store times). Only the leader answers, since a follower
 * that lags would give its own end for a time past its newest message; a follower answers {@code NOT_LEADER} with the
 * leader it knows. The request is checked on the calling thread; the search reads the disk and runs on the read
 * executor (answered {@code BUSY} when too many reads wait), never on gRPC's I/O threads.
 */
final class OffsetsForTimeHandler {
    private final MessageStore store;
    private final BrokerStateMachine fsm;
    private final RaftNode raft;
    private final ReadExecutor reads;

    OffsetsForTimeHandler(MessageStore store, BrokerStateMachine fsm, RaftNode raft, ReadExecutor reads) {
        this.store = store;
        this.fsm = fsm;
        this.raft = raft;
        this.reads = reads;
    }

    void offsetsForTime(OffsetsForTimeRequest req, StreamObserver<OffsetsForTimeResponse> out) {
        int[] queues;
        try {
            // only the leader searches (checked again on the read thread, where the topic is looked up)
            RpcErrors.requireLeader(fsm, raft);
            queues = check(req);
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        reads.executeOrRefuse(() -> serve(req, queues, out), out);
    }

    /**
     * The queues asked (none: every queue); INVALID_TOPIC_NAME, or INVALID_ARGUMENT for a bad time, incarnation or
     * queue list.
     */
    static int[] check(OffsetsForTimeRequest req) {
        RequestValidator.checkTopicName(req.getTopic());
        if (req.getTimestampMs() < 0 || req.getTopicIncarnation() < 0) {
            throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "timestamp_ms and topic_incarnation must not be "
                    + "negative");
        }
        if (req.getQueuesCount() > RequestValidator.MAX_QUEUES) {
            throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "name at most " + RequestValidator.MAX_QUEUES
                    + " queues (none: every queue)");
        }
        Set<Integer> named = new HashSet<>();
        for (int q : req.getQueuesList()) {
            if (!named.add(q)) {
                throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "queue " + q + " is named twice");
            }
        }
        return req.getQueuesList().stream().mapToInt(Integer::intValue).toArray();
    }

    private void serve(OffsetsForTimeRequest req, int[] queues, StreamObserver<OffsetsForTimeResponse> out) {
        if (out instanceof ServerCallStreamObserver<OffsetsForTimeResponse> s && s.isCancelled()) {
            return;
        }
        try {
            RpcErrors.requireLeader(fsm, raft); // still: a deposed leader's store may lack the newest messages
            OffsetsAtTime found = store.offsetsForTime(req.getTopic(), req.getTopicIncarnation(), queues,
                    req.getTimestampMs());
            OffsetsForTimeResponse.Builder b = OffsetsForTimeResponse.newBuilder()
                    .setTopicIncarnation(found.incarnation());
            for (int i = 0; i < found.queues().length; i++) {
                b.addOffsets(QueueOffset.newBuilder().setQueue(found.queues()[i]).setOffset(found.offsets()[i]));
            }
            out.onNext(b.build());
            out.onCompleted();
        } catch (ReadRejectedException e) {
            out.onError(RpcErrors.fromRead(e));
        } catch (StatusRuntimeException e) {
            out.onError(e);
        } catch (RuntimeException e) {
            out.onError(RpcErrors.internal("search of " + req.getTopic() + " for time " + req.getTimestampMs(), e));
        }
    }
}
