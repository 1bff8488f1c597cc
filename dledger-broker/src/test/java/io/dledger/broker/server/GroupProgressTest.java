package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.group.GroupCoordinator;
import io.dledger.broker.store.TopicView;
import io.dledger.proto.GroupInfo;
import io.dledger.proto.QueueProgress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GroupProgressTest {

    @Test
    void lagCountsFromTheCommittedOffsetOrTheQueueMinimumAndOwnersComeFromTheMembers() {
        TopicView topic = new TopicView("orders", 3, new long[] {0, 10, 50, 0}, new long[] {100, 40, 60, 0});
        GroupCoordinator.GroupView members = new GroupCoordinator.GroupView(3, List.of(
                new GroupCoordinator.MemberView("m1", List.of(0, 2), 120),
                new GroupCoordinator.MemberView("m2", List.of(1), 80)));

        GroupInfo g = GroupProgress.of("billing", topic, Map.of(0, 70L, 2, 20L, 3, 0L), members);

        assertThat(g.getGroup()).isEqualTo("billing");
        assertThat(g.getTopic()).isEqualTo("orders");
        assertThat(g.getGeneration()).isEqualTo(3);
        assertThat(g.getMembersList()).extracting(m -> m.getMemberId() + m.getQueuesList() + m.getLastHeartbeatMsAgo())
                .containsExactly("m1[0, 2]120", "m2[1]80");
        assertThat(g.getQueuesList()).extracting(QueueProgress::getQueue, QueueProgress::getCommittedOffset,
                QueueProgress::getLag, QueueProgress::getOwner).containsExactly(
                org.assertj.core.groups.Tuple.tuple(0, 70L, 30L, "m1"),   // 100 - 70
                org.assertj.core.groups.Tuple.tuple(1, -1L, 30L, "m2"),   // nothing committed: 40 - 10
                org.assertj.core.groups.Tuple.tuple(2, 20L, 10L, "m1"),   // committed below the minimum: 60 - 50
                org.assertj.core.groups.Tuple.tuple(3, 0L, 0L, ""));      // empty queue, no owner
        assertThat(g.getQueues(1).getMinOffset()).isEqualTo(10);
        assertThat(g.getQueues(1).getMaxOffset()).isEqualTo(40);
    }

    @Test
    void theListSumsLagPerGroupSkipsDeletedTopicsReadsEachTopicOnceAndSaysWhenItIsCut() {
        java.util.SortedMap<String, java.util.SortedSet<String>> groups = new java.util.TreeMap<>(Map.of(
                "a", new java.util.TreeSet<>(List.of("orders", "gone")),
                "b", new java.util.TreeSet<>(List.of("orders")),
                "c", new java.util.TreeSet<>(List.of("orders"))));
        TopicView orders = new TopicView("orders", 3, new long[] {0, 0}, new long[] {10, 20});
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.Function<String, TopicView> topics = t -> {
            reads.incrementAndGet();
            return t.equals("orders") ? orders : null;
        };
        java.util.function.BiFunction<String, String, Map<Integer, Long>> committed = (g, t) ->
                g.equals("a") ? Map.of(0, 10L, 1, 5L) : Map.of();

        io.dledger.proto.ListGroupsResponse all = GroupProgress.list(groups, "", topics, committed, (g, t) -> 1, 10);
        assertThat(all.getGroupsList()).extracting(s -> s.getGroup() + "/" + s.getTopic() + " " + s.getTotalLag())
                .containsExactly("a/orders 15", "b/orders 30", "c/orders 30");
        assertThat(all.getTruncated()).isFalse();
        assertThat(reads).hasValue(2); // orders once, gone once

        io.dledger.proto.ListGroupsResponse cut = GroupProgress.list(groups, "orders", topics, committed,
                (g, t) -> 0, 2);
        assertThat(cut.getGroupsCount()).isEqualTo(2);
        assertThat(cut.getTruncated()).isTrue();
    }
}
