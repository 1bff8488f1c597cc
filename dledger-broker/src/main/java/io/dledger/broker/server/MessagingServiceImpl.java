package io.dledger.broker.server;

import com.google.protobuf.UnsafeByteOperations;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.raft.RaftNode;
import io.dledger.broker.statemachine.BrokerStateMachine;
import io.dledger.broker.statemachine.CommandProposer;
import io.dledger.broker.store.MessageRecord;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.ProduceResult;
import io.dledger.broker.store.ReadRejectedException;
import io.dledger.proto.Assignment;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.Message;
import io.dledger.proto.MessagingServiceGrpc;
import io.dledger.proto.ProduceRequest;
import io.dledger.proto.ProduceResponse;
import io.dledger.proto.PullRequest;
import io.dledger.proto.PullResponse;
import io.dledger.proto.StoredMessage;
import io.dledger.proto.internal.CommandMessage;
import io.dledger.proto.internal.ProduceCommand;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Produce and Pull. The write path: validate -> choose queues -> {@link CommandProposer} (Raft task)
 * -> state machine applies -> the proposal's future completes -> reply. Only the leader accepts
 * writes; any node serves reads of what it has applied (which is always committed).
 */
public final class MessagingServiceImpl extends MessagingServiceGrpc.MessagingServiceImplBase {
    private final NodeConfig config;
    private final MessageStore store;
    private final BrokerStateMachine fsm;
    private final RaftNode raft;
    private final CommandProposer proposer;
    private final RequestValidator validator;
    private final QueueSelector selector = new QueueSelector();
    private final Executor reads;

    public MessagingServiceImpl(NodeConfig config, MessageStore store, BrokerStateMachine fsm, RaftNode raft,
                                CommandProposer proposer, Executor reads) {
        this.reads = reads;
        this.config = config;
        this.store = store;
        this.fsm = fsm;
        this.raft = raft;
        this.proposer = proposer;
        this.validator = new RequestValidator(config.messageMaxBytes(), config.batchMaxBytes(),
                config.batchMaxMessages());
    }

    @Override
    public void produce(ProduceRequest req, StreamObserver<ProduceResponse> out) {
        ProduceCommand cmd;
        int size;
        try {
            size = validator.check(req);
            if (!fsm.isLeader()) {
                throw RpcErrors.notLeader(raft.leader().orElse(null));
            }
            cmd = toCommand(req);
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        proposer.produce(cmd, size).whenComplete((r, e) -> {
            if (e != null) {
                out.onError(RpcErrors.fromProposal(e, raft));
            } else if (r.status() == ProduceResult.Status.OK || r.status() == ProduceResult.Status.DUPLICATE) {
                out.onNext(toResponse(r));
                out.onCompleted();
            } else {
                out.onError(RpcErrors.error(switch (r.status()) {
                    case TOPIC_NOT_FOUND -> ErrorCode.TOPIC_NOT_FOUND;
                    case QUEUE_NOT_FOUND -> ErrorCode.QUEUE_NOT_FOUND;
                    case SEQUENCE_TOO_OLD -> ErrorCode.SEQUENCE_TOO_OLD;
                    default -> ErrorCode.INTERNAL;
                }, r.detail()));
            }
        });
    }

    private ProduceCommand toCommand(ProduceRequest req) {
        int queues = store.queueCount(req.getTopic());
        if (queues < 0) {
            throw RpcErrors.error(ErrorCode.TOPIC_NOT_FOUND, "topic '" + req.getTopic() + "' does not exist");
        }
        ProduceCommand.Builder b = ProduceCommand.newBuilder().setTopic(req.getTopic())
                .setProducerId(req.getProducerId()).setSequence(req.getSequence());
        for (int i = 0; i < req.getMessagesCount(); i++) {
            Message m = req.getMessages(i);
            b.addMessages(CommandMessage.newBuilder().setQueue(selector.select(req.getTopic(), queues, m, i))
                    .setKey(m.getKey()).setTags(m.getTags()).putAllProperties(m.getPropertiesMap())
                    .setBody(m.getBody()));
        }
        return b.build();
    }

    private static ProduceResponse toResponse(ProduceResult r) {
        ProduceResponse.Builder b = ProduceResponse.newBuilder().setStoreTimestamp(r.timestamp())
                .setRaftIndex(r.raftIndex()).setDuplicate(r.status() == ProduceResult.Status.DUPLICATE);
        for (int i = 0; i < r.offsets().length; i++) {
            b.addAssignments(Assignment.newBuilder().setQueue(r.queues()[i]).setOffset(r.offsets()[i]));
        }
        return b.build();
    }

    /** Reads touch the disk: they run on the read executor, not on the gRPC I/O thread. */
    @Override
    public void pull(PullRequest req, StreamObserver<PullResponse> out) {
        reads.execute(() -> doPull(req, out));
    }

    private void doPull(PullRequest req, StreamObserver<PullResponse> out) {
        try {
            RequestValidator.checkTopicName(req.getTopic());
            if (req.getQueue() < 0 || req.getOffset() < 0 || req.getMaxMessages() < 0 || req.getMaxBytes() < 0) {
                throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT,
                        "queue, offset, max_messages and max_bytes must not be negative");
            }
            int maxMessages = req.getMaxMessages() == 0 ? 32 : Math.min(req.getMaxMessages(), config.pullMaxMessages());
            int maxBytes = req.getMaxBytes() == 0 ? config.pullMaxBytes() : Math.min(req.getMaxBytes(),
                    config.pullMaxBytes());
            List<MessageRecord> records = store.read(req.getTopic(), req.getQueue(), req.getOffset(), maxMessages,
                    maxBytes);
            long[] range = store.queueRange(req.getTopic(), req.getQueue());
            PullResponse.Builder b = PullResponse.newBuilder().setServedBy(config.nodeId())
                    .setNextOffset(req.getOffset() + records.size()).setMinOffset(range[0]).setMaxOffset(range[1]);
            for (MessageRecord m : records) {
                b.addMessages(toProto(m));
            }
            out.onNext(b.build());
            out.onCompleted();
        } catch (ReadRejectedException e) {
            out.onError(RpcErrors.fromRead(e));
        } catch (StatusRuntimeException e) {
            out.onError(e);
        } catch (RuntimeException e) {
            out.onError(RpcErrors.internal("pull of " + req.getTopic() + "/" + req.getQueue(), e));
        }
    }

    static StoredMessage toProto(MessageRecord m) {
        return StoredMessage.newBuilder().setTopic(m.topic()).setQueue(m.queue()).setOffset(m.offset())
                .setStoreTimestamp(m.storeTimestamp()).setKey(m.key()).setTags(m.tags())
                .putAllProperties(m.properties()).setBody(UnsafeByteOperations.unsafeWrap(m.body()))
                .setRaftIndex(m.raftIndex()).build();
    }
}
