package io.dledger.broker.server;

import io.dledger.broker.group.GroupCoordinator;
import io.dledger.broker.store.TopicView;
import io.dledger.proto.GroupInfo;
import io.dledger.proto.GroupMember;
import io.dledger.proto.QueueProgress;
import java.util.HashMap;
import java.util.Map;

/**
 * A consumer group's progress on a topic, as {@code DescribeGroup} answers it: per queue the committed offset,
 * the readable range and the lag, and who owns it; the live members with their queues.
 *
 * <p>Lag is what the group has yet to consume of what the queue still holds: {@code max - max(committed, min)},
 * or {@code max - min} when nothing is committed (a new member starts at the earliest or the latest offset,
 * as it chooses; the broker cannot know which). A committed offset below the queue's minimum (the messages
 * expired unread) counts from the minimum. Stateless.
 */
final class GroupProgress {
    private GroupProgress() {
    }

    static GroupInfo of(String group, TopicView topic, Map<Integer, Long> committed,
                        GroupCoordinator.GroupView members) {
        GroupInfo.Builder b = GroupInfo.newBuilder().setGroup(group).setTopic(topic.name())
                .setGeneration(members.generation());
        Map<Integer, String> owners = new HashMap<>();
        for (GroupCoordinator.MemberView m : members.members()) {
            b.addMembers(GroupMember.newBuilder().setMemberId(m.id()).addAllQueues(m.queues())
                    .setLastHeartbeatMsAgo(m.lastHeartbeatMsAgo()));
            m.queues().forEach(q -> owners.putIfAbsent(q, m.id()));
        }
        for (int q = 0; q < topic.queues(); q++) {
            long min = topic.minOffsets()[q];
            long max = topic.maxOffsets()[q];
            Long c = committed.get(q);
            long from = c == null ? min : Math.max(c, min);
            b.addQueues(QueueProgress.newBuilder().setQueue(q).setCommittedOffset(c == null ? -1 : c)
                    .setMinOffset(min).setMaxOffset(max).setLag(Math.max(0, max - from))
                    .setOwner(owners.getOrDefault(q, "")));
        }
        return b.build();
    }

    /** The sum of the queues' lag. */
    static long totalLag(GroupInfo info) {
        return info.getQueuesList().stream().mapToLong(QueueProgress::getLag).sum();
    }
}
