package io.dledger.broker.server;

import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.raft.RaftNode;
import io.dledger.broker.statemachine.BrokerStateMachine;
import io.dledger.broker.statemachine.CommandProposer;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.QueueDigester;
import io.dledger.broker.store.ReadRejectedException;
import io.dledger.broker.store.TopicResult;
import io.dledger.broker.store.TopicView;
import io.dledger.proto.AdminServiceGrpc;
import io.dledger.proto.ClusterStatus;
import io.dledger.proto.DescribeClusterRequest;
import io.dledger.proto.CreateTopicRequest;
import io.dledger.proto.CreateTopicResponse;
import io.dledger.proto.AddNodeRequest;
import io.dledger.proto.AddNodeResponse;
import io.dledger.proto.RemoveNodeRequest;
import io.dledger.proto.RemoveNodeResponse;
import io.dledger.proto.DeleteTopicRequest;
import io.dledger.proto.DeleteTopicResponse;
import io.dledger.proto.DescribeTopicRequest;
import io.dledger.proto.TransferLeadershipRequest;
import io.dledger.proto.TransferLeadershipResponse;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.ListTopicsRequest;
import io.dledger.proto.ListTopicsResponse;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.NodeStatusRequest;
import io.dledger.proto.QueueDigest;
import io.dledger.proto.QueueDigestRequest;
import io.dledger.proto.QueueDigestResponse;
import io.dledger.proto.QueueInfo;
import io.dledger.proto.TakeSnapshotRequest;
import io.dledger.proto.TakeSnapshotResponse;
import io.dledger.proto.TopicInfo;
import io.dledger.proto.internal.CreateTopicCommand;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Topic administration, node status, replica digests and on-demand snapshots. */
public final class AdminServiceImpl extends AdminServiceGrpc.AdminServiceImplBase {
    private final DiskSpaceGuard disk;
    private final NodeConfig config;
    private final MessageStore store;
    private final BrokerStateMachine fsm;
    private final RaftNode raft;
    private final CommandProposer proposer;
    private final NodeStatusReporter reporter;
    private final PeerStatusCollector peers;
    private final ReadExecutor reads;
    private final ClusterOps clusterOps;

    AdminServiceImpl(NodeConfig config, MessageStore store, BrokerStateMachine fsm, RaftNode raft,
                     CommandProposer proposer, ReadExecutor reads, DiskSpaceGuard disk, PeerStatusCollector peers,
                     Supplier<List<String>> followersWithSpace) {
        this.disk = disk;
        this.reads = reads;
        this.config = config;
        this.store = store;
        this.fsm = fsm;
        this.raft = raft;
        this.proposer = proposer;
        this.reporter = new NodeStatusReporter(config, fsm, raft, disk);
        this.peers = peers;
        this.clusterOps = new ClusterOps(config, fsm, raft, proposer, reads, followersWithSpace);
    }

    @Override
    public void createTopic(CreateTopicRequest req, StreamObserver<CreateTopicResponse> out) {
        try {
            RequestValidator.checkTopicName(req.getTopic());
            RequestValidator.checkQueues(req.getQueues());
            RpcErrors.requireLeader(fsm, raft);
            boolean newTopic = store.queueCount(req.getTopic()) < 0;
            if (newTopic) { // an existing topic's create stores nothing
                refuseNameDifferingOnlyInCase(req.getTopic());
                disk.check();
            }
            int total = store.totalQueues();
            if (newTopic && total + req.getQueues() > config.maxTotalQueues()) {
                throw RpcErrors.error(ErrorCode.LIMIT_EXCEEDED, "the cluster holds " + total + " queues; "
                        + req.getQueues() + " more would exceed " + ConfigKey.MAX_TOTAL_QUEUES.key() + " ("
                        + config.maxTotalQueues() + ")");
            }
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        CreateTopicCommand cmd = CreateTopicCommand.newBuilder().setTopic(req.getTopic()).setQueues(req.getQueues())
                .setMaxTotalQueues(config.maxTotalQueues()).setRefuseCaseVariants(true).build();
        proposer.createTopic(cmd).whenComplete((r, e) -> {
            if (e != null) {
                out.onError(RpcErrors.fromProposal(e, raft));
            } else if (r.status() == TopicResult.Status.CASE_VARIANT_EXISTS) {
                out.onError(caseVariantExists(r.topic(), req.getTopic()));
            } else if (r.status() == TopicResult.Status.CONFLICT) {
                out.onError(RpcErrors.error(ErrorCode.TOPIC_EXISTS, "topic '" + r.topic()
                        + "' already exists with " + r.queues() + (r.queues() == 1 ? " queue" : " queues")));
            } else if (r.status() == TopicResult.Status.LIMIT_EXCEEDED) {
                out.onError(RpcErrors.error(ErrorCode.LIMIT_EXCEEDED, "the cluster holds " + r.queues()
                        + " queues; " + req.getQueues() + " more would exceed "
                        + ConfigKey.MAX_TOTAL_QUEUES.key() + " (" + config.maxTotalQueues() + ")"));
            } else {
                out.onNext(CreateTopicResponse.newBuilder().setTopic(r.topic()).setQueues(r.queues())
                        .setCreated(r.status() == TopicResult.Status.CREATED).build());
                out.onCompleted();
            }
        });
    }

    /**
     * A topic's index files live in a directory named after it: on a case-insensitive file system (macOS by default)
     * {@code Orders} and {@code orders} would share theirs. Checked on the leader before proposing, and again by
     * every replica when it applies the create (the command's {@code refuse_case_variants}), so two such creates
     * racing each other past this check create one topic.
     */
    private void refuseNameDifferingOnlyInCase(String topic) {
        TopicView variant = store.caseVariantOf(topic);
        if (variant != null) {
            throw caseVariantExists(variant.name(), topic);
        }
    }

    private static StatusRuntimeException caseVariantExists(String existing, String topic) {
        return RpcErrors.error(ErrorCode.TOPIC_EXISTS, "topic '" + existing + "' already exists; '" + topic
                + "' differs from it only in letter case, and topic names must differ in more than that (a "
                + "topic's files are named after it, and some file systems ignore case)");
    }

    @Override
    public void describeTopic(DescribeTopicRequest req, StreamObserver<TopicInfo> out) {
        try {
            RequestValidator.checkTopicName(req.getTopic()); // a name no topic can have: INVALID_TOPIC_NAME
        } catch (io.grpc.StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        TopicView t = store.topic(req.getTopic());
        if (t == null) {
            out.onError(RpcErrors.error(ErrorCode.TOPIC_NOT_FOUND, "topic '" + req.getTopic() + "' does not exist"));
            return;
        }
        out.onNext(toInfo(t));
        out.onCompleted();
    }

    @Override
    public void listTopics(ListTopicsRequest req, StreamObserver<ListTopicsResponse> out) {
        ListTopicsResponse.Builder b = ListTopicsResponse.newBuilder();
        store.topics().forEach(t -> b.addTopics(toInfo(t)));
        out.onNext(b.build());
        out.onCompleted();
    }

    private static TopicInfo toInfo(TopicView t) {
        TopicInfo.Builder b = TopicInfo.newBuilder().setTopic(t.name()).setQueues(t.queues())
                .setIncarnation(t.incarnation());
        for (int q = 0; q < t.queues(); q++) {
            b.addQueueInfos(QueueInfo.newBuilder().setQueue(q).setMinOffset(t.minOffsets()[q])
                    .setMaxOffset(t.maxOffsets()[q]));
        }
        return b.build();
    }

    @Override
    public void getNodeStatus(NodeStatusRequest req, StreamObserver<NodeStatus> out) {
        out.onNext(reporter.status());
        out.onCompleted();
    }

    @Override
    public void describeCluster(DescribeClusterRequest req, StreamObserver<ClusterStatus> out) {
        peers.collect(reporter.status(), raft.peers().current()).whenComplete((status, e) -> {
            if (e != null) {
                out.onError(RpcErrors.internal("describe cluster", e));
            } else {
                out.onNext(status);
                out.onCompleted();
            }
        });
    }

    /** Digests read whole queues: they run on the read executor. */
    @Override
    public void queueDigests(QueueDigestRequest req, StreamObserver<QueueDigestResponse> out) {
        reads.executeOrRefuse(() -> digests(req, out), out);
    }

    private void digests(QueueDigestRequest req, StreamObserver<QueueDigestResponse> out) {
        TopicView t = store.topic(req.getTopic());
        if (t == null) {
            out.onError(RpcErrors.error(ErrorCode.TOPIC_NOT_FOUND, "topic '" + req.getTopic() + "' does not exist"));
            return;
        }
        try {
            QueueDigestResponse.Builder b = QueueDigestResponse.newBuilder().setTopic(t.name())
                    .setAppliedIndex(store.lastAppliedIndex()).setNodeId(config.nodeId());
            for (int q = 0; q < t.queues(); q++) {
                long min = t.minOffsets()[q];
                long max = t.maxOffsets()[q];
                b.addQueues(QueueDigest.newBuilder().setQueue(q).setMinOffset(min).setMaxOffset(max)
                        .setDigest(QueueDigester.digest(store, t.name(), t.incarnation(), q, min, max)));
            }
            out.onNext(b.build());
            out.onCompleted();
        } catch (ReadRejectedException e) {
            out.onError(RpcErrors.fromRead(e));
        } catch (RuntimeException e) {
            out.onError(RpcErrors.internal("digest of " + req.getTopic(), e));
        }
    }

    @Override
    public void deleteTopic(DeleteTopicRequest req, StreamObserver<DeleteTopicResponse> out) {
        try {
            RequestValidator.checkTopicName(req.getTopic());
            RpcErrors.requireLeader(fsm, raft);
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        proposer.deleteTopic(req.getTopic()).whenComplete((deleted, e) -> {
            if (e != null) {
                out.onError(RpcErrors.fromProposal(e, raft));
            } else if (!deleted) {
                out.onError(RpcErrors.error(ErrorCode.TOPIC_NOT_FOUND,
                        "topic '" + req.getTopic() + "' does not exist"));
            } else {
                out.onNext(DeleteTopicResponse.newBuilder().setDeleted(true).build());
                out.onCompleted();
            }
        });
    }

    @Override
    public void addNode(AddNodeRequest req, StreamObserver<AddNodeResponse> out) {
        clusterOps.addNode(req, out);
    }

    @Override
    public void removeNode(RemoveNodeRequest req, StreamObserver<RemoveNodeResponse> out) {
        clusterOps.removeNode(req, out);
    }

    @Override
    public void transferLeadership(TransferLeadershipRequest req, StreamObserver<TransferLeadershipResponse> out) {
        clusterOps.transferLeadership(req, out);
    }

    private static final int SNAPSHOT_TIMEOUT_SECONDS = 60;

    /** A typed answer for the ordinary ways a snapshot does not happen; anything else is INTERNAL. */
    static StatusRuntimeException snapshotFailure(Throwable e) {
        if (e instanceof java.util.concurrent.TimeoutException) {
            return RpcErrors.error(ErrorCode.TIMEOUT, "the snapshot did not finish within " + SNAPSHOT_TIMEOUT_SECONDS
                    + " s; it may still finish (admin snapshot again, or the node's status, tells)");
        }
        if (e instanceof io.dledger.broker.raft.RaftRefusedException r) {
            return switch (r.error()) {
                case EBUSY -> RpcErrors.error(ErrorCode.BUSY, "this node is saving another snapshot; retry when it "
                        + "is done (" + r.getMessage() + ")");
                case EIO, ESTATEMACHINE, ESTOP, ENODESHUTDOWN, EPERM -> RpcErrors.error(ErrorCode.NODE_UNAVAILABLE,
                        "this node cannot take a snapshot now: " + r.getMessage());
                default -> RpcErrors.internal("snapshot", e);
            };
        }
        return RpcErrors.internal("snapshot", e);
    }

    @Override
    public void takeSnapshot(TakeSnapshotRequest req, StreamObserver<TakeSnapshotResponse> out) {
        raft.snapshot().orTimeout(SNAPSHOT_TIMEOUT_SECONDS, TimeUnit.SECONDS).whenComplete((index, e) -> {
            if (e != null) {
                out.onError(snapshotFailure(e instanceof java.util.concurrent.CompletionException c
                        && c.getCause() != null ? c.getCause() : e));
            } else {
                out.onNext(TakeSnapshotResponse.newBuilder().setSnapshotIndex(index).build());
                out.onCompleted();
            }
        });
    }
}
