package io.dledger.broker.server;

import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.raft.RaftNode;
import io.dledger.broker.statemachine.BrokerStateMachine;
import io.dledger.broker.statemachine.CommandProposer;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.ProduceResult;
import io.dledger.proto.Assignment;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.Message;
import io.dledger.proto.MessagingServiceGrpc;
import io.dledger.proto.OffsetsForTimeRequest;
import io.dledger.proto.OffsetsForTimeResponse;
import io.dledger.proto.ProduceRequest;
import io.dledger.proto.ProduceResponse;
import io.dledger.proto.PullRequest;
import io.dledger.proto.PullResponse;
import io.dledger.proto.internal.CommandMessage;
import io.dledger.proto.internal.ProduceCommand;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.dledger.broker.metrics.BrokerMetrics;
import io.dledger.broker.readroute.LoadMeter;

/**
 * Produce, Pull and OffsetsForTime. The write path: validate -> choose queues -> {@link CommandProposer} (Raft task)
 * -> state machine applies -> the proposal's future completes -> reply. Only the leader accepts
 * writes; any node serves reads of what it has applied (which is always committed).
 */
public final class MessagingServiceImpl extends MessagingServiceGrpc.MessagingServiceImplBase {
    private final DiskSpaceGuard disk;
    private final NodeConfig config;
    private final MessageStore store;
    private final BrokerStateMachine fsm;
    private final RaftNode raft;
    private final CommandProposer proposer;
    private final RequestValidator validator;
    private final QueueSelector selector = new QueueSelector();
    private final PullHandler pulls;
    private final OffsetsForTimeHandler offsetsForTime;
    private final LoadMeter produced;
    private final BrokerMetrics metrics;

    public MessagingServiceImpl(NodeConfig config, MessageStore store, BrokerStateMachine fsm, RaftNode raft,
                                CommandProposer proposer, PullHandler pulls, OffsetsForTimeHandler offsetsForTime,
                                LoadMeter produced, BrokerMetrics metrics, DiskSpaceGuard disk) {
        this.disk = disk;
        this.metrics = metrics;
        this.pulls = pulls;
        this.offsetsForTime = offsetsForTime;
        this.produced = produced;
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
            RpcErrors.requireLeader(fsm, raft);
            disk.check();
            cmd = toCommand(req);
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        produced.record(req.getMessagesCount());
        proposer.produce(cmd, size).whenComplete((r, e) -> {
            if (e != null) {
                out.onError(RpcErrors.fromProposal(e, raft));
            } else if (r.status() == ProduceResult.Status.OK || r.status() == ProduceResult.Status.DUPLICATE) {
                if (r.status() == ProduceResult.Status.OK) {
                    metrics.produced(cmd.getMessagesCount(), bodyBytes(cmd));
                }
                out.onNext(toResponse(r));
                out.onCompleted();
            } else {
                out.onError(RpcErrors.error(switch (r.status()) {
                    case TOPIC_NOT_FOUND -> ErrorCode.TOPIC_NOT_FOUND;
                    case QUEUE_NOT_FOUND -> ErrorCode.QUEUE_NOT_FOUND;
                    case SEQUENCE_TOO_OLD -> ErrorCode.SEQUENCE_TOO_OLD;
                    case SEQUENCE_REUSED -> ErrorCode.INVALID_ARGUMENT;
                    default -> ErrorCode.INTERNAL;
                }, r.detail()));
            }
        });
    }

    private static long bodyBytes(ProduceCommand cmd) {
        long n = 0;
        for (int i = 0; i < cmd.getMessagesCount(); i++) {
            n += cmd.getMessages(i).getBody().size();
        }
        return n;
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
            CommandMessage.Builder c = CommandMessage.newBuilder()
                    .setQueue(selector.select(req.getTopic(), queues, m, i)).setKey(m.getKey()).setTags(m.getTags())
                    .setBody(m.getBody());
            if (m.getPropertiesCount() > 0) { // an empty map still costs the builder a map field per message
                c.putAllProperties(m.getPropertiesMap());
            }
            b.addMessages(c);
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

    /** Reads touch the disk: the handler runs them on the read executor, not on the gRPC I/O thread. */
    @Override
    public void pull(PullRequest req, StreamObserver<PullResponse> out) {
        pulls.pull(req, out);
    }

    /** A binary search over store times on the read executor, like a pull (leader only). */
    @Override
    public void offsetsForTime(OffsetsForTimeRequest req, StreamObserver<OffsetsForTimeResponse> out) {
        offsetsForTime.offsetsForTime(req, out);
    }
}
