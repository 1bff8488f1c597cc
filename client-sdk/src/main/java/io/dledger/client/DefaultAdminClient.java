package io.dledger.client;

import io.dledger.proto.DeleteGroupRequest;
import io.dledger.proto.DeleteTopicRequest;
import io.dledger.proto.DescribeGroupRequest;
import io.dledger.proto.ListGroupsRequest;
import io.dledger.proto.QueueOffset;
import io.dledger.proto.ResetOffsetsRequest;
import io.dledger.proto.TransferLeadershipRequest;
import io.dledger.proto.CreateTopicRequest;
import io.dledger.proto.DescribeTopicRequest;
import io.dledger.proto.NodeStatus;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@link AdminClient} of a {@link DLedgerClient}. Every call is one {@link Operation} run by the
 * {@link ClusterRouter}, except {@link #describeCluster()}, which asks all nodes at once through the
 * {@link ClusterProbe}.
 *
 * <p>Thread-safe and stateless.
 */
final class DefaultAdminClient implements AdminClient {
    /** How long a membership change or leadership transfer may take on the server (a new node's catch-up). */
    static final int SLOW_OPERATION_SECONDS = 120;

    private final ClusterRouter router;

    DefaultAdminClient(ClusterRouter router) {
        this.router = router;
    }

    @Override
    public TopicCreated createTopic(String topic, int queues) {
        Objects.requireNonNull(topic, "topic");
        CreateTopicRequest request = CreateTopicRequest.newBuilder().setTopic(topic).setQueues(queues).build();
        return Errors.awaitWrite(Errors.map(router.execute(Operations.createTopic(request)),
                r -> new TopicCreated(r.getTopic(), r.getQueues(), r.getCreated())));
    }

    @Override
    public TopicDescription describeTopic(String topic) {
        Objects.requireNonNull(topic, "topic");
        return Errors.await(describeTopic(topic, router.deadlineFromNow()));
    }

    /** {@link #describeTopic(String)} with its own deadline ({@link System#nanoTime}), not waiting for it. */
    CompletableFuture<TopicDescription> describeTopic(String topic, long deadlineNanos) {
        DescribeTopicRequest request = DescribeTopicRequest.newBuilder().setTopic(topic).build();
        return Errors.map(router.execute(Operations.describeTopic(request), deadlineNanos), ProtoMapper::toDescription);
    }

    @Override
    public GroupDescription describeGroup(String group, String topic) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(topic, "topic");
        DescribeGroupRequest request = DescribeGroupRequest.newBuilder().setGroup(group).setTopic(topic).build();
        return Errors.await(Errors.map(router.execute(Operations.describeGroup(request)), ProtoMapper::toGroup));
    }

    @Override
    public GroupListing listGroups(String topic) {
        ListGroupsRequest request = ListGroupsRequest.newBuilder().setTopic(topic == null ? "" : topic).build();
        return Errors.await(Errors.map(router.execute(Operations.listGroups(request)), ProtoMapper::toListing));
    }

    @Override
    public void resetOffsets(String group, String topic, long topicIncarnation, Map<Integer, Long> offsets) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(offsets, "offsets");
        ResetOffsetsRequest.Builder b = ResetOffsetsRequest.newBuilder().setGroup(group).setTopic(topic)
                .setTopicIncarnation(topicIncarnation);
        new TreeMap<>(offsets).forEach((q, o) -> b.addOffsets(QueueOffset.newBuilder().setQueue(q).setOffset(o)));
        Errors.awaitWrite(router.execute(Operations.resetOffsets(b.build())));
    }

    @Override
    public boolean deleteGroup(String group, String topic) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(topic, "topic");
        return Errors.awaitWrite(router.execute(Operations.deleteGroup(DeleteGroupRequest.newBuilder().setGroup(group)
                .setTopic(topic).build()))).getDeleted();
    }

    @Override
    public List<TopicDescription> listTopics() {
        return Errors.await(Errors.map(router.execute(Operations.listTopics()),
                r -> r.getTopicsList().stream().map(ProtoMapper::toDescription).toList()));
    }

    @Override
    public ClusterView describeCluster() {
        if (router.isClosed()) {
            throw Errors.closed("client");
        }
        List<ClusterProbe.Answer> answers = Errors.await(
                router.probe().run(router.config().requestTimeout().toNanos(), false));
        router.leaders().accept(answers);
        return ClusterViewAssembler.assemble(router.directory(), answers);
    }

    @Override
    public NodeView nodeStatus(String nodeId) {
        NodeStatus s = Errors.await(router.execute(Operations.nodeStatus(nodeId)));
        String id = s.getSelf().getId();
        return ProtoMapper.toView(id, router.directory().addressOf(id).orElse(s.getSelf().getGrpcAddress()), s);
    }

    @Override
    public ReplicaDigest queueDigests(String nodeId, String topic) {
        Objects.requireNonNull(topic, "topic");
        return ProtoMapper.toDigest(Errors.await(router.execute(Operations.queueDigests(nodeId, topic))));
    }

    @Override
    public long takeSnapshot(String nodeId) {
        return Errors.awaitWrite(router.execute(Operations.takeSnapshot(nodeId))).getSnapshotIndex();
    }

    @Override
    public String transferLeadership(String toNodeId) {
        TransferLeadershipRequest.Builder b = TransferLeadershipRequest.newBuilder();
        if (toNodeId != null) {
            b.setToNodeId(toNodeId);
        }
        return Errors.awaitWrite(slow(Operations.transferLeadership(b.build()))).getLeaderId();
    }

    @Override
    public List<String> addNode(String id, String host, int raftPort, int grpcPort) {
        io.dledger.proto.NodeRef node = io.dledger.proto.NodeRef.newBuilder().setId(id)
                .setRaftAddress(host + ":" + raftPort).setGrpcAddress(host + ":" + grpcPort).build();
        return Errors.awaitWrite(slow(Operations.addNode(io.dledger.proto.AddNodeRequest.newBuilder().setNode(node)
                .build()))).getPeersList().stream().map(io.dledger.proto.NodeRef::getId).toList();
    }

    @Override
    public List<String> removeNode(String id) {
        return Errors.awaitWrite(slow(Operations.removeNode(io.dledger.proto.RemoveNodeRequest.newBuilder()
                .setNodeId(id).build()))).getPeersList().stream().map(io.dledger.proto.NodeRef::getId).toList();
    }

    /**
     * Membership changes and leadership transfers wait on the server (catch-up, elections): an attempt may take
     * {@link #SLOW_OPERATION_SECONDS} more, while finding a leader and retrying stay within the operation timeout.
     */
    private <R> java.util.concurrent.CompletableFuture<R> slow(Operation<?, R> op) {
        return router.execute(op.withServerWaitPastDeadline(
                java.util.concurrent.TimeUnit.SECONDS.toNanos(SLOW_OPERATION_SECONDS)));
    }

    @Override
    public boolean deleteTopic(String topic) {
        return Errors.awaitWrite(router.execute(Operations.deleteTopic(DeleteTopicRequest.newBuilder().setTopic(topic)
                .build()))).getDeleted();
    }

    @Override
    public Optional<String> leaderId() {
        if (router.isClosed()) {
            throw Errors.closed("client");
        }
        LeaderTracker.LeaderRef leader = router.leaders().current();
        // a new client's first probes can outlast their deadline while its connections are set up (over a second
        // on a busy machine): when no node answered, the cluster is asked once more before "no leader" is said
        if (leader == null) {
            Errors.await(router.leaders().refresh());
            leader = router.leaders().current();
        }
        if (leader == null && !router.leaders().someNodeAnswered()) {
            Errors.await(router.leaders().refresh());
            leader = router.leaders().current();
        }
        return leader == null ? Optional.empty() : Optional.ofNullable(ProtoMapper.emptyToNull(leader.id()));
    }
}
