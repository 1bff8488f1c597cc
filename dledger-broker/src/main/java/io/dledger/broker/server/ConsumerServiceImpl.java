package io.dledger.broker.server;

import io.dledger.broker.config.TokenRole;
import io.dledger.broker.group.GroupCoordinator;
import io.dledger.broker.group.OffsetsChangeRefusedException;
import io.dledger.broker.raft.RaftNode;
import io.dledger.broker.statemachine.BrokerStateMachine;
import io.dledger.broker.statemachine.CommandProposer;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.TopicView;
import io.dledger.proto.CommitOffsetsRequest;
import io.dledger.proto.CommitOffsetsResponse;
import io.dledger.proto.DeleteGroupRequest;
import io.dledger.proto.DeleteGroupResponse;
import io.dledger.proto.DescribeGroupRequest;
import io.dledger.proto.GroupInfo;
import io.dledger.proto.ListGroupsRequest;
import io.dledger.proto.ListGroupsResponse;
import io.dledger.proto.ConsumerServiceGrpc;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.FetchOffsetsRequest;
import io.dledger.proto.FetchOffsetsResponse;
import io.dledger.proto.HeartbeatRequest;
import io.dledger.proto.HeartbeatResponse;
import io.dledger.proto.LeaveGroupRequest;
import io.dledger.proto.LeaveGroupResponse;
import io.dledger.proto.QueueOffset;
import io.dledger.proto.ResetOffsetsRequest;
import io.dledger.proto.ResetOffsetsResponse;
import io.dledger.proto.internal.CommitOffsetsCommand;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.HashSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Consumer groups: membership and queue assignment on the leader ({@link GroupCoordinator}), committed
 * offsets through Raft (so a group resumes at its committed offsets after any failover), offsets readable
 * on any node.
 */
public final class ConsumerServiceImpl extends ConsumerServiceGrpc.ConsumerServiceImplBase {
    private final MessageStore store;
    private final BrokerStateMachine fsm;
    private final RaftNode raft;
    private final GroupCoordinator groups;
    private final OffsetProposals offsetProposals;

    /** {@code maxCommittedOffsets}: the cluster's groups.max.committed.offsets, carried in every commit. */
    public ConsumerServiceImpl(MessageStore store, BrokerStateMachine fsm, RaftNode raft, CommandProposer proposer,
                               GroupCoordinator groups, int maxCommittedOffsets) {
        this.store = store;
        this.fsm = fsm;
        this.raft = raft;
        this.groups = groups;
        this.offsetProposals = new OffsetProposals(proposer, store, raft, maxCommittedOffsets);
    }

    /** Longest member id: the leader keeps one per live member of every group. */
    static final int MAX_MEMBER_ID_CHARS = 255;

    private TopicView checkGroupAndTopic(String group, String topic) {
        RequestValidator.checkTopicName(topic);
        if (!RequestValidator.TOPIC.matcher(group).matches()) {
            throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "invalid group name '" + group
                    + "': use 1 to 127 letters, digits, '.', '_' or '-'");
        }
        return requireTopic(topic);
    }

    /**
     * {@code topic} as it is now (its queues, offsets and incarnation from one look-up); TOPIC_NOT_FOUND when it does
     * not exist.
     */
    private TopicView requireTopic(String topic) {
        TopicView t = store.topic(topic);
        if (t == null) {
            throw topicNotFound(topic);
        }
        return t;
    }

    private static StatusRuntimeException topicNotFound(String topic) {
        return RpcErrors.error(ErrorCode.TOPIC_NOT_FOUND, "topic '" + topic + "' does not exist");
    }

    @Override
    public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> out) {
        try {
            // the leader first: a node that has not applied a new topic yet must not answer TOPIC_NOT_FOUND
            RpcErrors.requireLeader(fsm, raft);
            TopicView topic = checkGroupAndTopic(req.getGroup(), req.getTopic());
            if (req.getMemberId().isEmpty() || req.getMemberId().length() > MAX_MEMBER_ID_CHARS) {
                throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "member_id is required, of at most "
                        + MAX_MEMBER_ID_CHARS + " characters");
            }
            GroupCoordinator.Assignment a;
            try {
                a = groups.heartbeat(req.getGroup(), req.getTopic(), topic.queues(), req.getMemberId(),
                        ownedQueues(req, topic.queues()));
            } catch (GroupCoordinator.LimitException e) {
                throw RpcErrors.error(ErrorCode.LIMIT_EXCEEDED, e.getMessage());
            }
            out.onNext(HeartbeatResponse.newBuilder().addAllQueues(a.queues()).setGeneration(a.generation())
                    .addAllMembers(a.members()).setHeartbeatIntervalMs(groups.heartbeatIntervalMs())
                    .setSessionTimeoutMs(groups.sessionTimeoutMs())
                    .setTopicIncarnation(topic.incarnation()).build());
            out.onCompleted();
        } catch (StatusRuntimeException e) {
            out.onError(e);
        }
    }

    /**
     * The queues a heartbeat reports owned, those of the topic only (a member may still name queues of a topic
     * deleted and created again with fewer): the leader keeps them for the member's session, so a list longer than a
     * topic can have is refused.
     */
    static Set<Integer> ownedQueues(HeartbeatRequest req, int queues) {
        if (req.getOwnedQueuesCount() > RequestValidator.MAX_QUEUES) {
            throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "owned_queues lists " + req.getOwnedQueuesCount()
                    + " queues; a topic has at most " + RequestValidator.MAX_QUEUES);
        }
        Set<Integer> owned = new HashSet<>();
        for (int q : req.getOwnedQueuesList()) {
            if (q >= 0 && q < queues) {
                owned.add(q);
            }
        }
        return owned;
    }

    @Override
    public void leaveGroup(LeaveGroupRequest req, StreamObserver<LeaveGroupResponse> out) {
        try {
            RpcErrors.requireLeader(fsm, raft);
            checkGroupAndTopic(req.getGroup(), req.getTopic());
            groups.leave(req.getGroup(), req.getTopic(), req.getMemberId());
            out.onNext(LeaveGroupResponse.getDefaultInstance());
            out.onCompleted();
        } catch (StatusRuntimeException e) {
            out.onError(e);
        }
    }

    @Override
    public void commitOffsets(CommitOffsetsRequest req, StreamObserver<CommitOffsetsResponse> out) {
        CommitOffsetsCommand cmd;
        try {
            TokenRole role = TokenAuthInterceptor.ROLE.get(); // null: the node takes no tokens
            if (req.getMemberId().isEmpty() && role != null && !role.allows(TokenRole.ADMIN)) {
                throw RpcErrors.error(ErrorCode.PERMISSION_DENIED, "the call's token has role " + role + ", and a "
                        + "commit without a member id (an operator's) needs admin; a group member commits with its id");
            }
            RpcErrors.requireLeader(fsm, raft);
            checkGroupAndTopic(req.getGroup(), req.getTopic());
            cmd = OffsetProposals.command(req.getGroup(), req.getTopic(), req.getTopicIncarnation(), req.getOffsetsList());
            if (!req.getMemberId().isEmpty()) {
                Set<Integer> queues = new HashSet<>();
                req.getOffsetsList().forEach(o -> queues.add(o.getQueue()));
                String refusal = groups.commitRefusal(req.getGroup(), req.getTopic(), req.getMemberId(), queues);
                if (refusal != null) {
                    throw RpcErrors.error(ErrorCode.NOT_GROUP_MEMBER, refusal);
                }
            }
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        offsetProposals.commit(cmd, out, () -> { }, index -> CommitOffsetsResponse.newBuilder().setRaftIndex(index)
                .build());
    }

    /**
     * An operator's reset of a group's offsets: like a manual commit, but only while the group has no live member on
     * the topic (their positions would commit over it), and no member is granted a queue until it is applied.
     */
    @Override
    public void resetOffsets(ResetOffsetsRequest req, StreamObserver<ResetOffsetsResponse> out) {
        CommitOffsetsCommand cmd;
        GroupCoordinator.OffsetsChange change;
        try {
            RpcErrors.requireLeader(fsm, raft);
            checkGroupAndTopic(req.getGroup(), req.getTopic());
            cmd = OffsetProposals.command(req.getGroup(), req.getTopic(), req.getTopicIncarnation(), req.getOffsetsList());
            change = beginOffsetsChange(req.getGroup(), req.getTopic());
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        offsetProposals.commit(cmd, out, change::end, index -> ResetOffsetsResponse.newBuilder().setRaftIndex(index)
                .build());
    }

    /** An operator's deletion of a group's offsets on a topic: gated like {@link #resetOffsets}. */
    @Override
    public void deleteGroup(DeleteGroupRequest req, StreamObserver<DeleteGroupResponse> out) {
        GroupCoordinator.OffsetsChange change;
        try {
            RpcErrors.requireLeader(fsm, raft);
            checkGroupAndTopic(req.getGroup(), req.getTopic());
            change = beginOffsetsChange(req.getGroup(), req.getTopic());
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        offsetProposals.deleteGroup(req.getGroup(), req.getTopic(), out, change::end,
                had -> DeleteGroupResponse.newBuilder().setDeleted(had).build());
    }

    /** {@link GroupCoordinator#beginOffsetsChange}, its refusal as GROUP_ACTIVE (live members) or BUSY (retry). */
    private GroupCoordinator.OffsetsChange beginOffsetsChange(String group, String topic) {
        try {
            return groups.beginOffsetsChange(group, topic);
        } catch (OffsetsChangeRefusedException e) {
            throw RpcErrors.error(e.reason() == OffsetsChangeRefusedException.Reason.LIVE_MEMBERS
                    ? ErrorCode.GROUP_ACTIVE : ErrorCode.BUSY, e.getMessage());
        }
    }

    @Override
    public void fetchOffsets(FetchOffsetsRequest req, StreamObserver<FetchOffsetsResponse> out) {
        try {
            RpcErrors.requireLeader(fsm, raft); // a deposed leader may not have the newest commits
            // the incarnation before the offsets: a topic replaced in between pairs the old incarnation with the new
            // topic's offsets, which the first pull refuses (TOPIC_REPLACED), never the new one with the old offsets
            TopicView topic = checkGroupAndTopic(req.getGroup(), req.getTopic());
            FetchOffsetsResponse.Builder b = FetchOffsetsResponse.newBuilder().setTopicIncarnation(topic.incarnation());
            store.committedOffsets(req.getGroup(), req.getTopic()).forEach((q, o) ->
                    b.addOffsets(QueueOffset.newBuilder().setQueue(q).setOffset(o)));
            out.onNext(b.build());
            out.onCompleted();
        } catch (StatusRuntimeException e) {
            out.onError(e);
        }
    }

    @Override
    public void describeGroup(DescribeGroupRequest req, StreamObserver<GroupInfo> out) {
        try {
            // membership lives on the leader, and it has applied every commit it acknowledged
            RpcErrors.requireLeader(fsm, raft);
            TopicView topic = checkGroupAndTopic(req.getGroup(), req.getTopic());
            out.onNext(GroupProgress.of(req.getGroup(), topic, store.committedOffsets(req.getGroup(), req.getTopic()),
                    groups.describe(req.getGroup(), req.getTopic())));
            out.onCompleted();
        } catch (StatusRuntimeException e) {
            out.onError(e);
        }
    }

    /** Most groups one ListGroups answer lists. */
    static final int MAX_LISTED_GROUPS = 10_000;

    @Override
    public void listGroups(ListGroupsRequest req, StreamObserver<ListGroupsResponse> out) {
        try {
            RpcErrors.requireLeader(fsm, raft);
            String only = req.getTopic();
            if (!only.isEmpty()) {
                RequestValidator.checkTopicName(only);
                requireTopic(only);
            }
            out.onNext(summaries(only, MAX_LISTED_GROUPS));
            out.onCompleted();
        } catch (StatusRuntimeException e) {
            out.onError(e);
        }
    }

    /**
     * One summary per (group, topic) that has committed offsets or live members, of topic {@code only} unless it is
     * empty, at most {@code max} of them in name order: the ListGroups answer, and the group lag metrics.
     */
    ListGroupsResponse summaries(String only, int max) {
        SortedMap<String, SortedSet<String>> all = new TreeMap<>(store.committedGroups());
        groups.liveGroups().forEach((g, topics) -> all.computeIfAbsent(g, k -> new TreeSet<>()).addAll(topics));
        return GroupProgress.list(all, only, store::topic, store::committedOffsets, groups::liveMembers, max);
    }
}
