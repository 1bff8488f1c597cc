package io.dledger.broker.server;

import io.dledger.broker.group.GroupCoordinator;
import io.dledger.broker.store.TopicView;
import io.dledger.proto.GroupInfo;
import io.dledger.proto.GroupMember;
import io.dledger.proto.GroupSummary;
import io.dledger.proto.ListGroupsResponse;
import io.dledger.proto.QueueProgress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToIntBiFunction;

/**
 * A consumer group's progress on a topic, as {@code DescribeGroup} answers it: per queue the committed offset,
 * the readable range and the lag, and who owns it; the live members with their queues. Also the
 * {@code ListGroups} answer, one line of members and total lag per group and topic.
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
            Long c = committed.get(q);
            b.addQueues(QueueProgress.newBuilder().setQueue(q).setCommittedOffset(c == null ? -1 : c)
                    .setMinOffset(topic.minOffsets()[q]).setMaxOffset(topic.maxOffsets()[q])
                    .setLag(lag(topic, q, c)).setOwner(owners.getOrDefault(q, "")));
        }
        return b.build();
    }

    /** The group's lag summed over the topic's queues. */
    static long totalLag(TopicView topic, Map<Integer, Long> committed) {
        long sum = 0;
        for (int q = 0; q < topic.queues(); q++) {
            sum += lag(topic, q, committed.get(q));
        }
        return sum;
    }

    private static long lag(TopicView topic, int queue, Long committed) {
        long min = topic.minOffsets()[queue];
        long from = committed == null ? min : Math.max(committed, min);
        return Math.max(0, topic.maxOffsets()[queue] - from);
    }

    /**
     * The ListGroups answer: one summary per (group, topic) of {@code groups} (group -> topics, both sorted), only of
     * topic {@code only} unless it is empty, skipping topics that no longer exist, at most {@code max} of them
     * ({@code truncated} set when there were more). Each topic's offsets are read once.
     */
    static ListGroupsResponse list(SortedMap<String, SortedSet<String>> groups, String only,
                                   Function<String, TopicView> topics,
                                   BiFunction<String, String, Map<Integer, Long>> committed,
                                   ToIntBiFunction<String, String> liveMembers, int max) {
        ListGroupsResponse.Builder b = ListGroupsResponse.newBuilder();
        Map<String, Optional<TopicView>> views = new HashMap<>();
        for (Map.Entry<String, SortedSet<String>> e : groups.entrySet()) {
            for (String topic : e.getValue()) {
                if (!only.isEmpty() && !only.equals(topic)) {
                    continue;
                }
                Optional<TopicView> t = views.computeIfAbsent(topic, k -> Optional.ofNullable(topics.apply(k)));
                if (t.isEmpty()) {
                    continue; // deleted just now
                }
                if (b.getGroupsCount() == max) {
                    return b.setTruncated(true).build();
                }
                b.addGroups(GroupSummary.newBuilder().setGroup(e.getKey()).setTopic(topic)
                        .setLiveMembers(liveMembers.applyAsInt(e.getKey(), topic))
                        .setTotalLag(totalLag(t.get(), committed.apply(e.getKey(), topic))));
            }
        }
        return b.build();
    }
}
