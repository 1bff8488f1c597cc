package io.dledger.broker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.client.GroupDescription;
import io.dledger.client.GroupListing;
import io.dledger.client.GroupSummary;
import io.dledger.client.QueueRange;
import io.dledger.client.TopicDescription;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GroupCommandTest {
    private final GroupDescription d = new GroupDescription("billing", "orders", 4,
            List.of(new GroupDescription.Member("m1", List.of(0), 150)),
            List.of(new GroupDescription.QueueProgress(0, OptionalLong.of(90), 0, 100, 10, "m1"),
                    new GroupDescription.QueueProgress(1, OptionalLong.empty(), 5, 6, 1, null)));

    @Test
    void tableShowsTotalsEveryQueueAndEveryMember() {
        assertThat(GroupCommand.Describe.table(d).lines()).containsExactly(
                "group billing on topic orders: 1 live member, lag 11 messages",
                "  queue  committed        min        max        lag  owner",
                "  0             90          0        100         10  m1",
                "  1              -          5          6          1  -",
                "  member m1: queues [0], last heartbeat 150 ms ago");
    }

    @Test
    void aGroupWithoutMembersOrCommittedOffsetsCountsAsUnknown() {
        assertThat(GroupCommand.Describe.unknown(d)).isFalse();
        GroupDescription typo = new GroupDescription("biling", "orders", 0, List.of(),
                List.of(new GroupDescription.QueueProgress(0, OptionalLong.empty(), 0, 100, 100, null)));
        assertThat(GroupCommand.Describe.unknown(typo)).isTrue();
        GroupDescription idle = new GroupDescription("billing", "orders", 0, List.of(),
                List.of(new GroupDescription.QueueProgress(0, OptionalLong.of(100), 0, 100, 0, null)));
        assertThat(GroupCommand.Describe.unknown(idle)).as("stopped, with progress").isFalse();
        assertThat(GroupCommand.Describe.unknownNote(typo, "never used there", " -s h:1"))
                .as("the follow-up command goes to the cluster given").isEqualTo("note: group 'biling' has no live "
                        + "members and no committed offsets on orders (never used there, or misspelled?); "
                        + "'bin/dledger group list -s h:1' lists the groups");
    }

    @Test
    void jsonHasNullForWhatIsNotThere() {
        assertThat(GroupCommand.Describe.json(d)).contains("\"totalLag\": 11").contains("\"generation\": 4")
                .contains("\"committedOffset\": null").contains("\"owner\": null").contains("\"memberId\": \"m1\"");
    }

    @Test
    void listShowsOneLinePerGroupAndTopic() {
        assertThat(GroupCommand.ListGroups.table(new GroupListing(List.of(), false))).isEqualTo("no groups");
        GroupListing one = new GroupListing(List.of(new GroupSummary("billing", "orders", 2, 17)), false);
        assertThat(GroupCommand.ListGroups.table(one).lines()).containsExactly(
                "group                          topic                           members          lag",
                "billing                        orders                                2           17");
        assertThat(GroupCommand.ListGroups.table(new GroupListing(one.groups(), true)))
                .endsWith("(the leader lists at most 1 groups at once; more exist: use --topic)");
    }
    @Test
    void resetPlanShowsEachPlannedQueueWithItsCommittedAndNewOffset() {
        TopicDescription t = new TopicDescription("orders", 2, List.of(new QueueRange(0, 0, 100),
                new QueueRange(1, 5, 6)), 42);
        assertThat(GroupResetCommand.table(t, d, Map.of(1, 5L)).lines()).containsExactly(
                "group billing on topic orders (incarnation 42): 1 live member",
                "  queue  committed        new        min        max",
                "  1              -          5          5          6");
    }
}
