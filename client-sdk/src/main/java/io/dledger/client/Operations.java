package io.dledger.client;

import io.dledger.client.Operation.Effect;
import io.dledger.proto.DeleteGroupRequest;
import io.dledger.proto.DeleteGroupResponse;
import io.dledger.proto.DeleteTopicRequest;
import io.dledger.proto.DescribeGroupRequest;
import io.dledger.proto.GroupInfo;
import io.dledger.proto.ListGroupsRequest;
import io.dledger.proto.ListGroupsResponse;
import io.dledger.proto.DeleteTopicResponse;
import io.dledger.proto.TransferLeadershipRequest;
import io.dledger.proto.TransferLeadershipResponse;
import io.dledger.proto.CommitOffsetsRequest;
import io.dledger.proto.CommitOffsetsResponse;
import io.dledger.proto.ConsumerServiceGrpc;
import io.dledger.proto.FetchOffsetsRequest;
import io.dledger.proto.FetchOffsetsResponse;
import io.dledger.proto.HeartbeatRequest;
import io.dledger.proto.HeartbeatResponse;
import io.dledger.proto.LeaveGroupRequest;
import io.dledger.proto.LeaveGroupResponse;
import io.dledger.proto.AdminServiceGrpc;
import io.dledger.proto.CreateTopicRequest;
import io.dledger.proto.CreateTopicResponse;
import io.dledger.proto.DescribeTopicRequest;
import io.dledger.proto.ListTopicsRequest;
import io.dledger.proto.ListTopicsResponse;
import io.dledger.proto.MessagingServiceGrpc;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.NodeStatusRequest;
import io.dledger.proto.ProduceRequest;
import io.dledger.proto.ProduceResponse;
import io.dledger.proto.OffsetsForTimeRequest;
import io.dledger.proto.OffsetsForTimeResponse;
import io.dledger.proto.PullRequest;
import io.dledger.proto.PullResponse;
import io.dledger.proto.QueueDigestRequest;
import io.dledger.proto.QueueDigestResponse;
import io.dledger.proto.ResetOffsetsRequest;
import io.dledger.proto.ResetOffsetsResponse;
import io.dledger.proto.TakeSnapshotRequest;
import io.dledger.proto.TakeSnapshotResponse;
import io.dledger.proto.TopicInfo;

/**
 * The table of every RPC the client makes: its target and its {@link Effect} (a read, an idempotent write, or a
 * write). This is where idempotence is declared; {@link RetryPolicy} decides from it.
 *
 * <p>Stateless and thread-safe.
 */
final class Operations {

    private Operations() {
    }

    /**
     * Produce: idempotent because the request carries the producer id and sequence, so the broker applies it at
     * most once and answers a retry with the original assignment.
     */
    static Operation<ProduceRequest, ProduceResponse> produce(ProduceRequest request) {
        return Operation.toLeader("produce", Effect.IDEMPOTENT_WRITE, MessagingServiceGrpc.getProduceMethod(), request);
    }

    /** Pull: a read, idempotent. */
    static Operation<PullRequest, PullResponse> pull(String nodeId, PullRequest request) {
        return Operation.toNode("pull", nodeId, Effect.READ, MessagingServiceGrpc.getPullMethod(), request);
    }

    /** OffsetsForTime of {@code queues} (none: every queue) at {@code timestampMs}: a read on the leader. */
    static Operation<OffsetsForTimeRequest, OffsetsForTimeResponse> offsetsForTime(String topic, long timestampMs,
                                                                                   int... queues) {
        OffsetsForTimeRequest.Builder b = OffsetsForTimeRequest.newBuilder().setTopic(topic)
                .setTimestampMs(timestampMs);
        for (int q : queues) {
            b.addQueues(q);
        }
        return Operation.toLeader("offsetsForTime", Effect.READ, MessagingServiceGrpc.getOffsetsForTimeMethod(),
                b.build());
    }

    /** CreateTopic: idempotent, the broker answers created=false when the topic already exists alike. */
    static Operation<CreateTopicRequest, CreateTopicResponse> createTopic(CreateTopicRequest request) {
        return Operation.toLeader("createTopic", Effect.IDEMPOTENT_WRITE,
                AdminServiceGrpc.getCreateTopicMethod(), request);
    }

    /** DescribeTopic: a read, idempotent. */
    static Operation<DescribeTopicRequest, TopicInfo> describeTopic(DescribeTopicRequest request) {
        return Operation.toLeader("describeTopic", Effect.READ, AdminServiceGrpc.getDescribeTopicMethod(), request);
    }

    /** ListTopics: a read, idempotent. */
    static Operation<ListTopicsRequest, ListTopicsResponse> listTopics() {
        return Operation.toLeader("listTopics", Effect.READ, AdminServiceGrpc.getListTopicsMethod(),
                ListTopicsRequest.getDefaultInstance());
    }

    /** GetNodeStatus: a read, idempotent. */
    static Operation<NodeStatusRequest, NodeStatus> nodeStatus(String nodeId) {
        return Operation.toNode("nodeStatus", nodeId, Effect.READ, AdminServiceGrpc.getGetNodeStatusMethod(),
                NodeStatusRequest.getDefaultInstance());
    }

    /** QueueDigests: a read, idempotent. */
    static Operation<QueueDigestRequest, QueueDigestResponse> queueDigests(String nodeId, String topic) {
        return Operation.toNode("queueDigests", nodeId, Effect.READ, AdminServiceGrpc.getQueueDigestsMethod(),
                QueueDigestRequest.newBuilder().setTopic(topic).build());
    }

    /** TakeSnapshot: an action with side effects, not idempotent. */
    static Operation<TakeSnapshotRequest, TakeSnapshotResponse> takeSnapshot(String nodeId) {
        return Operation.toNode("takeSnapshot", nodeId, Effect.WRITE, AdminServiceGrpc.getTakeSnapshotMethod(),
                TakeSnapshotRequest.getDefaultInstance());
    }

    /** Heartbeat: idempotent (it only refreshes the member and reads the assignment). */
    static Operation<HeartbeatRequest, HeartbeatResponse> heartbeat(HeartbeatRequest request) {
        return Operation.toLeader("heartbeat", Effect.IDEMPOTENT_WRITE,
                ConsumerServiceGrpc.getHeartbeatMethod(), request);
    }

    /** LeaveGroup: idempotent (leaving twice is leaving). */
    static Operation<LeaveGroupRequest, LeaveGroupResponse> leaveGroup(LeaveGroupRequest request) {
        return Operation.toLeader("leaveGroup", Effect.IDEMPOTENT_WRITE,
                ConsumerServiceGrpc.getLeaveGroupMethod(), request);
    }

    /** CommitOffsets: idempotent (committing the same offsets again changes nothing). */
    static Operation<CommitOffsetsRequest, CommitOffsetsResponse> commitOffsets(CommitOffsetsRequest request) {
        return Operation.toLeader("commitOffsets", Effect.IDEMPOTENT_WRITE,
                ConsumerServiceGrpc.getCommitOffsetsMethod(), request);
    }

    /**
     * ResetOffsets: retried only when it surely did not run. Setting the same offsets again looks harmless, but a
     * member may start, commit and stop between two attempts, and a repeat would undo its progress (or, with the
     * member still there, be refused with GROUP_ACTIVE and hide that the first attempt was applied).
     */
    static Operation<ResetOffsetsRequest, ResetOffsetsResponse> resetOffsets(ResetOffsetsRequest request) {
        return Operation.toLeader("resetOffsets", Effect.WRITE,
                ConsumerServiceGrpc.getResetOffsetsMethod(), request);
    }

    /** DeleteGroup: retried only when it surely did not run, like {@link #resetOffsets}. */
    static Operation<DeleteGroupRequest, DeleteGroupResponse> deleteGroup(DeleteGroupRequest request) {
        return Operation.toLeader("deleteGroup", Effect.WRITE, ConsumerServiceGrpc.getDeleteGroupMethod(), request);
    }

    /** FetchOffsets: a read, idempotent; asked of the leader, which has applied every commit it acknowledged. */
    static Operation<FetchOffsetsRequest, FetchOffsetsResponse> fetchOffsets(FetchOffsetsRequest request) {
        return Operation.toLeader("fetchOffsets", Effect.READ, ConsumerServiceGrpc.getFetchOffsetsMethod(), request);
    }

    /** DescribeGroup: a read, idempotent; asked of the leader, which keeps the membership. */
    static Operation<DescribeGroupRequest, GroupInfo> describeGroup(DescribeGroupRequest request) {
        return Operation.toLeader("describeGroup", Effect.READ, ConsumerServiceGrpc.getDescribeGroupMethod(), request);
    }

    /** ListGroups: a read, idempotent; asked of the leader, which keeps the membership. */
    static Operation<ListGroupsRequest, ListGroupsResponse> listGroups(ListGroupsRequest request) {
        return Operation.toLeader("listGroups", Effect.READ, ConsumerServiceGrpc.getListGroupsMethod(), request);
    }

    /** TransferLeadership: not idempotent (a repeat on the new leader would move leadership again). */
    static Operation<TransferLeadershipRequest, TransferLeadershipResponse> transferLeadership(
            TransferLeadershipRequest request) {
        return Operation.toLeader("transferLeadership", Effect.WRITE,
                AdminServiceGrpc.getTransferLeadershipMethod(), request);
    }

    /** DeleteTopic: not idempotent as far as its answer goes (a repeat answers NOT_FOUND). */
    static Operation<DeleteTopicRequest, DeleteTopicResponse> deleteTopic(DeleteTopicRequest request) {
        return Operation.toLeader("deleteTopic", Effect.WRITE, AdminServiceGrpc.getDeleteTopicMethod(), request);
    }

    /** AddNode: not idempotent as far as its effect goes; only retried when it surely did not run. */
    static Operation<io.dledger.proto.AddNodeRequest, io.dledger.proto.AddNodeResponse> addNode(
            io.dledger.proto.AddNodeRequest request) {
        return Operation.toLeader("addNode", Effect.WRITE, AdminServiceGrpc.getAddNodeMethod(), request);
    }

    /** RemoveNode: not idempotent; only retried when it surely did not run. */
    static Operation<io.dledger.proto.RemoveNodeRequest, io.dledger.proto.RemoveNodeResponse> removeNode(
            io.dledger.proto.RemoveNodeRequest request) {
        return Operation.toLeader("removeNode", Effect.WRITE, AdminServiceGrpc.getRemoveNodeMethod(), request);
    }
}
