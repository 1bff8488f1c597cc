package io.dledger.client;

import java.util.List;
import java.util.OptionalLong;

/**
 * A consumer group's live members and its progress on one topic, as the leader sees it. Immutable, thread-safe.
 *
 * @param group      group name
 * @param topic      topic name
 * @param generation changes whenever the set of live members changes (0: no member has heartbeated this leader;
 *                   a new leader learns its members within a heartbeat interval)
 * @param members    live members, sorted by id (an immutable list)
 * @param queues     one entry per queue of the topic, in queue order (an immutable list)
 */
public record GroupDescription(String group, String topic, long generation, List<Member> members,
                               List<QueueProgress> queues) {

    /**
     * Keeps immutable copies of the lists.
     *
     * @param group      group name
     * @param topic      topic name
     * @param generation changes whenever the set of live members changes (0: no member has heartbeated this leader)
     * @param members    live members, sorted by id
     * @param queues     one entry per queue of the topic, in queue order
     */
    public GroupDescription {
        members = List.copyOf(members);
        queues = List.copyOf(queues);
    }

    /**
     * Messages the group has yet to consume, over all queues.
     *
     * @return the sum of the queues' {@link QueueProgress#lag()}
     */
    public long totalLag() {
        return queues.stream().mapToLong(QueueProgress::lag).sum();
    }

    /**
     * A live member of the group.
     *
     * @param memberId           the member's id
     * @param queues             queues it consumes or was just granted, ascending (an immutable list)
     * @param lastHeartbeatMsAgo milliseconds since the leader last heard from it
     */
    public record Member(String memberId, List<Integer> queues, long lastHeartbeatMsAgo) {
        /**
         * Keeps an immutable copy of {@code queues}.
         *
         * @param memberId           the member's id
         * @param queues             queues it consumes or was just granted, ascending
         * @param lastHeartbeatMsAgo milliseconds since the leader last heard from it
         */
        public Member {
            queues = List.copyOf(queues);
        }
    }

    /**
     * The group's progress on one queue.
     *
     * @param queue           queue number
     * @param committedOffset next offset the group will consume, empty when it never committed one for the queue
     * @param minOffset       smallest offset the queue still stores
     * @param maxOffset       offset one past the queue's newest message
     * @param lag             messages the group has yet to consume of those the queue still stores:
     *                        {@code maxOffset - max(committedOffset, minOffset)}, or {@code maxOffset - minOffset}
     *                        when nothing is committed
     * @param owner           id of the live member that owns the queue, {@code null} when none does
     */
    public record QueueProgress(int queue, OptionalLong committedOffset, long minOffset, long maxOffset, long lag,
                                String owner) {
    }
}
