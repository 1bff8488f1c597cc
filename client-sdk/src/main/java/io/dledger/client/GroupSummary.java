package io.dledger.client;

/**
 * One consumer group on one topic, as {@link AdminClient#listGroups} lists it. Immutable, thread-safe.
 *
 * @param group       group name
 * @param topic       topic name
 * @param liveMembers members heartbeating the leader now
 * @param totalLag    messages the group has yet to consume, over all queues (see
 *                    {@link GroupDescription.QueueProgress#lag})
 */
public record GroupSummary(String group, String topic, int liveMembers, long totalLag) {
}
