package io.dledger.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GroupCoordinatorTest {
    private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(1000));
    private final GroupCoordinator c = new GroupCoordinator(now::get, 1000, 3000, 3000);

    private List<Integer> beat(String member, Set<Integer> owned) {
        return c.heartbeat("g", "t", 8, member, owned).queues();
    }

    private void advance(long ms) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void queuesSpreadEvenlyAndMoveOnlyAfterRelease() {
        assertThat(beat("a", Set.of())).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        List<Integer> bFirst = beat("b", Set.of());
        assertThat(bFirst).as("a still owns everything").isEmpty();
        List<Integer> aNow = beat("a", Set.of(0, 1, 2, 3, 4, 5, 6, 7));
        assertThat(aNow).containsExactly(0, 2, 4, 6);
        assertThat(beat("b", Set.of())).as("a has not released yet").isEmpty();
        beat("a", new HashSet<>(aNow));
        assertThat(beat("b", Set.of())).containsExactly(1, 3, 5, 7);
    }

    @Test
    void silentMembersExpireAndTheirQueuesMove() {
        beat("a", Set.of());
        beat("b", Set.of());
        beat("a", Set.of(0, 2, 4, 6));
        beat("b", Set.of(1, 3, 5, 7));
        advance(2000);
        beat("a", Set.of(0, 2, 4, 6));
        advance(1500); // b silent for 3.5 s
        assertThat(beat("a", Set.of(0, 2, 4, 6))).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void leavingFreesQueuesAtOnceAndBumpsTheGeneration() {
        beat("a", Set.of());
        long gen = c.heartbeat("g", "t", 8, "b", Set.of()).generation();
        c.leave("g", "t", "b");
        GroupCoordinator.Assignment a = c.heartbeat("g", "t", 8, "a", Set.of(0, 2, 4, 6));
        assertThat(a.queues()).hasSize(8);
        assertThat(a.generation()).isGreaterThan(gen);
        assertThat(a.members()).containsExactly("a");
    }

    /** The settling period is its own setting: the broker makes it a session plus the election timeout. */
    @Test
    void aNewLeaderSettlesForItsSettlingPeriodNotJustASession() {
        GroupCoordinator slow = new GroupCoordinator(now::get, 1000, 3000, 5000);
        slow.leadershipStarted();
        assertThat(slow.heartbeat("g", "t", 4, "a", Set.of()).queues()).isEmpty();
        advance(2000);
        slow.heartbeat("g", "t", 4, "a", Set.of());
        advance(2000);
        slow.heartbeat("g", "t", 4, "a", Set.of());
        advance(800); // 4.8 s: a session has passed, the settling period has not
        assertThat(slow.heartbeat("g", "t", 4, "a", Set.of()).queues()).isEmpty();
        advance(300);
        assertThat(slow.heartbeat("g", "t", 4, "a", Set.of()).queues()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void newLeaderOnlyConfirmsExistingOwnershipWhileSettling() {
        c.leadershipStarted();
        assertThat(beat("a", Set.of(0, 1, 2, 3))).as("keeps what it owns, gets nothing new")
                .containsExactly(0, 1, 2, 3);
        assertThat(beat("b", Set.of(3, 4, 5))).as("3 is a's").containsExactly(4, 5);
        assertThat(beat("c", Set.of())).isEmpty();
        advance(1500);
        beat("a", Set.of(0, 1, 2, 3));
        beat("b", Set.of(4, 5));
        beat("c", Set.of());
        advance(1600); // settled
        assertThat(beat("b", Set.of(4, 5))).as("1 is still a's").containsExactly(4, 7);
        assertThat(beat("c", Set.of())).as("2 is a's, 5 b's").isEmpty();
        assertThat(beat("a", Set.of(0, 1, 2, 3))).containsExactly(0, 3, 6);
        assertThat(beat("c", Set.of())).as("a has not released 1 and 2 yet").isEmpty();
        beat("a", Set.of(0, 3, 6));
        assertThat(beat("c", Set.of())).as("a released 1 and 2").containsExactly(2);
    }

    /** The leader's memory for groups is bounded: idle groups are forgotten, and a flood of new ones refused. */
    @Test
    void idleGroupsAreForgottenAndNewOnesBeyondTheLimitRefused() {
        advance(4000); // past the settling period of a new leader
        for (int i = 0; i < GroupCoordinator.MAX_GROUPS; i++) {
            assertThat(c.heartbeat("g" + i, "t", 1, "m", Set.of())).isNotNull();
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.heartbeat("one-more", "t", 1, "m", Set.of()))
                .isInstanceOf(GroupCoordinator.LimitException.class).hasMessageContaining("100000 consumer groups");
        assertThat(c.heartbeat("g7", "t", 1, "m", Set.of())).as("a tracked group still beats").isNotNull();
        advance(3001); // every member's session is over: their groups are forgotten
        assertThat(c.heartbeat("one-more", "t", 1, "m", Set.of()).queues()).containsExactly(0);
    }

    @Test
    void aGroupTakesAtMostTheLimitOfLiveMembers() {
        for (int i = 0; i < GroupCoordinator.MAX_MEMBERS; i++) {
            c.heartbeat("big", "t", 1, "m" + i, Set.of());
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.heartbeat("big", "t", 1, "one-more", Set.of()))
                .isInstanceOf(GroupCoordinator.LimitException.class);
        assertThat(c.heartbeat("big", "t", 1, "m7", Set.of())).as("a member still beats").isNotNull();
    }

    /** A member the group has moved on from must not move the group's progress back. */
    @Test
    void onlyALiveMemberCommitsAndNeverForAQueueAnotherHolds() {
        advance(4000); // past the settling period of a new leader
        assertThat(beat("a", Set.of())).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(c.commitRefusal("g", "t", "a", Set.of(0, 5))).isNull();
        assertThat(c.commitRefusal("g", "t", "nobody", Set.of(0))).contains("not a live member");
        advance(3001); // a's session is over; b takes everything
        assertThat(c.commitRefusal("g", "t", "a", Set.of(0))).contains("not a live member");
        assertThat(beat("b", Set.of())).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        beat("a", Set.of()); // a is back, but b holds the queues now
        assertThat(c.commitRefusal("g", "t", "a", Set.of(3))).contains("held by member b");
        assertThat(c.commitRefusal("g", "t", "b", Set.of(3))).isNull();
        // both claim queue 3 (as a leader change can leave them): neither is refused, so the one releasing it can
        // commit and let go
        beat("a", Set.of(3));
        assertThat(c.commitRefusal("g", "t", "a", Set.of(3))).isNull();
        assertThat(c.commitRefusal("g", "t", "b", Set.of(1, 3))).isNull();
    }

    @Test
    void describeShowsLiveMembersWithTheirQueuesAndLeavesOutExpiredOnes() {
        assertThat(c.describe("g", "t")).isEqualTo(new GroupCoordinator.GroupView(0, List.of()));
        beat("b", Set.of());
        beat("a", Set.of());
        beat("b", Set.of(7, 1, 3, 5));
        advance(2000);
        long gen = c.heartbeat("g", "t", 8, "a", Set.of(6, 4)).generation();
        advance(250);

        GroupCoordinator.GroupView v = c.describe("g", "t");
        assertThat(v.generation()).isEqualTo(gen);
        assertThat(v.members()).containsExactly(
                new GroupCoordinator.MemberView("a", List.of(0, 2, 4, 6), 250), // granted counts as claimed
                new GroupCoordinator.MemberView("b", List.of(1, 3, 5, 7), 2250));
        advance(1000); // b silent for 3.25 s: its session (3 s) is over
        assertThat(c.describe("g", "t").members()).extracting(GroupCoordinator.MemberView::id).containsExactly("a");
        assertThat(c.describe("g", "other").members()).isEmpty();
        c.heartbeat("h", "t2", 1, "x", Set.of());
        assertThat(c.liveGroups()).isEqualTo(new java.util.TreeMap<>(java.util.Map.of(
                "g", new java.util.TreeSet<>(Set.of("t")), "h", new java.util.TreeSet<>(Set.of("t2")))));
        advance(3500); // every session over
        assertThat(c.liveGroups()).isEmpty();
    }
    private OffsetsChangeRefusedException.Reason refusal(String topic) {
        try {
            c.beginOffsetsChange("g", topic);
        } catch (OffsetsChangeRefusedException e) {
            return e.reason();
        }
        throw new AssertionError("not refused");
    }

    @Test
    void anOffsetsChangeNeedsTheGroupWithoutLiveMembersAndGrantsNothingWhileInFlight() {
        beat("a", Set.of());
        assertThatThrownBy(() -> c.beginOffsetsChange("g", "t")).isInstanceOfSatisfying(
                OffsetsChangeRefusedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(OffsetsChangeRefusedException.Reason.LIVE_MEMBERS);
                    assertThat(e.getMessage()).contains("group g has 1 live member on topic t (a)").contains("stop it");
                });
        c.leave("g", "t", "a");
        GroupCoordinator.OffsetsChange change = c.beginOffsetsChange("g", "t");
        assertThat(c.beginOffsetsChange("g", "other-topic")).as("another topic's offsets are apart").isNotNull();
        assertThat(refusal("t")).isEqualTo(OffsetsChangeRefusedException.Reason.IN_FLIGHT);
        assertThat(beat("b", Set.of())).as("a member that starts during the change waits for it").isEmpty();
        change.end();
        assertThat(beat("b", Set.of())).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        change.end(); // idempotent
    }

    @Test
    void aNewTermForgetsAChangeOfAnEarlierOne() {
        GroupCoordinator.OffsetsChange old = c.beginOffsetsChange("g", "t");
        c.leadershipStarted();
        advance(3000);
        GroupCoordinator.OffsetsChange fresh = c.beginOffsetsChange("g", "t");
        old.end(); // the earlier term's change failing late changes nothing
        assertThat(beat("a", Set.of())).as("the fresh change is still in flight").isEmpty();
        fresh.end();
        assertThat(beat("a", Set.of())).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void anOffsetsChangeWaitsUntilANewLeaderKnowsTheMembersAndUntilSessionsEnd() {
        c.leadershipStarted();
        assertThat(refusal("t")).isEqualTo(OffsetsChangeRefusedException.Reason.SETTLING);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(3000) - 1);
        assertThat(refusal("t")).as("settling to the nanosecond")
                .isEqualTo(OffsetsChangeRefusedException.Reason.SETTLING);
        now.addAndGet(1);
        beat("a", Set.of());
        advance(3000);
        assertThat(refusal("t")).as("a's session lasts 3 s after its heartbeat")
                .isEqualTo(OffsetsChangeRefusedException.Reason.LIVE_MEMBERS);
        advance(1);
        assertThat(c.beginOffsetsChange("g", "t")).isNotNull();
    }
}
