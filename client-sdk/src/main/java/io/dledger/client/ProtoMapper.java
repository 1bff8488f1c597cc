package io.dledger.client;

import com.google.protobuf.ByteString;
import io.dledger.proto.GroupInfo;
import io.dledger.proto.ListGroupsResponse;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.QueueDigestResponse;
import io.dledger.proto.ProduceResponse;
import io.dledger.proto.PullResponse;
import io.dledger.proto.QueueInfo;
import io.dledger.proto.StoredMessage;
import io.dledger.proto.TopicInfo;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Converts between the SDK's value types and the protocol messages. Empty protobuf strings for optional fields
 * (key, tags, suggestion) become {@code null}, and {@code null} becomes unset.
 *
 * <p>Stateless and thread-safe.
 */
final class ProtoMapper {

    private ProtoMapper() {
    }

    static io.dledger.proto.Message toProto(Message m) {
        io.dledger.proto.Message.Builder b = io.dledger.proto.Message.newBuilder()
                .setBody(ByteString.copyFrom(m.body()));
        if (!m.properties().isEmpty()) { // an empty map still costs the builder a map field per message
            b.putAllProperties(m.properties());
        }
        if (m.key() != null) {
            b.setKey(m.key());
        }
        if (m.tags() != null) {
            b.setTags(m.tags());
        }
        if (m.queue() != null) {
            b.setQueue(m.queue());
        }
        return b.build();
    }

    static BatchSendResult toBatchResult(String topic, int sent, ProduceResponse r) {
        if (r.getAssignmentsCount() != sent) {
            throw new DLedgerException(ErrorCode.INTERNAL, Status.Code.INTERNAL,
                    "broker answered " + r.getAssignmentsCount() + " assignments for " + sent + " messages", null,
                    true, false, null);
        }
        List<SendResult> results = new ArrayList<>(sent);
        r.getAssignmentsList().forEach(a -> results.add(new SendResult(topic, a.getQueue(), a.getOffset(),
                r.getRaftIndex(), r.getStoreTimestamp(), r.getDuplicate())));
        return new BatchSendResult(topic, results);
    }

    static PullResult toPullResult(PullResponse r) {
        List<ReceivedMessage> messages = new ArrayList<>(r.getMessagesCount());
        for (StoredMessage m : r.getMessagesList()) {
            messages.add(new ReceivedMessage(m.getTopic(), m.getQueue(), m.getOffset(), m.getStoreTimestamp(),
                    emptyToNull(m.getKey()), emptyToNull(m.getTags()), m.getPropertiesMap(), m.getBody().toByteArray(),
                    m.getRaftIndex()));
        }
        String suggestedId = r.hasSuggestion() ? emptyToNull(r.getSuggestion().getNode().getId()) : null;
        String reason = r.hasSuggestion() ? emptyToNull(r.getSuggestion().getReason()) : null;
        return new PullResult(messages, r.getNextOffset(), r.getMinOffset(), r.getMaxOffset(),
                emptyToNull(r.getServedBy()), suggestedId, reason, r.getTopicIncarnation());
    }

    static TopicDescription toDescription(TopicInfo t) {
        List<QueueRange> ranges = new ArrayList<>(t.getQueueInfosCount());
        for (QueueInfo q : t.getQueueInfosList()) {
            ranges.add(new QueueRange(q.getQueue(), q.getMinOffset(), q.getMaxOffset()));
        }
        return new TopicDescription(t.getTopic(), t.getQueues(), ranges, t.getIncarnation());
    }

    static GroupDescription toGroup(GroupInfo g) {
        List<GroupDescription.Member> members = g.getMembersList().stream().map(m -> new GroupDescription.Member(
                m.getMemberId(), m.getQueuesList(), m.getLastHeartbeatMsAgo())).toList();
        List<GroupDescription.QueueProgress> queues = g.getQueuesList().stream().map(q ->
                new GroupDescription.QueueProgress(q.getQueue(), q.getCommittedOffset() < 0 ? OptionalLong.empty()
                        : OptionalLong.of(q.getCommittedOffset()), q.getMinOffset(), q.getMaxOffset(), q.getLag(),
                        emptyToNull(q.getOwner()))).toList();
        return new GroupDescription(g.getGroup(), g.getTopic(), g.getGeneration(), members, queues);
    }

    static GroupListing toListing(ListGroupsResponse r) {
        return new GroupListing(r.getGroupsList().stream().map(g -> new GroupSummary(g.getGroup(), g.getTopic(),
                g.getLiveMembers(), g.getTotalLag())).toList(), r.getTruncated());
    }

    static NodeView toView(String id, String address, NodeStatus s) {
        return new NodeView(id, address, NodeRole.of(s.getRole()), s.getTerm(),
                s.hasLeader() ? emptyToNull(s.getLeader().getId()) : null, s.getCommitIndex(), s.getAppliedIndex(),
                s.getLastLogIndex(), s.getLastSnapshotIndex(), s.getSnapshotsInstalled(), true,
                emptyToNull(s.getError()), -1,
                emptyToNull(s.getMetricsUrl()), s.hasDisk() ? new NodeView.Disk(s.getDisk().getUsableBytes(),
                        s.getDisk().getMinFreeBytes(), s.getDisk().getBelowMinimum()) : null,
                s.getPeersList().stream().map(io.dledger.proto.NodeRef::getId).toList());
    }

    static ReplicaDigest toDigest(QueueDigestResponse r) {
        return new ReplicaDigest(r.getNodeId(), r.getTopic(), r.getAppliedIndex(), r.getQueuesList().stream()
                .map(q -> new ReplicaDigest.QueueDigest(q.getQueue(), q.getMinOffset(), q.getMaxOffset(),
                        q.getDigest())).toList());
    }

    static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
