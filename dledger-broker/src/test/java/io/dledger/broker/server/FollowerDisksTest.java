package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dledger.broker.config.PeerSpec;
import io.dledger.proto.DiskStatus;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.NodeRef;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.Role;
import io.grpc.StatusRuntimeException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FollowerDisksTest {
    private static final long MIB = 1024 * 1024;

    private final AtomicLong clock = new AtomicLong();
    private final AtomicBoolean leader = new AtomicBoolean(true);
    private final Map<String, CompletableFuture<NodeStatus>> answers = new HashMap<>();
    private final FollowerDisks disks = new FollowerDisks(leader::get,
            () -> List.of(new PeerSpec("n2", "h", 1, 2), new PeerSpec("n3", "h", 1, 2)),
            p -> answers.get(p.id()), clock::get);

    private static NodeStatus status(String id, boolean below) {
        return NodeStatus.newBuilder().setSelf(NodeRef.newBuilder().setId(id)).setRole(Role.FOLLOWER)
                .setDisk(DiskStatus.newBuilder().setUsableBytes(100 * MIB).setMinFreeBytes(1024 * MIB)
                        .setBelowMinimum(below)).build();
    }

    private static NodeStatus unreachable(String id) {
        return NodeStatus.newBuilder().setSelf(NodeRef.newBuilder().setId(id)).setRole(Role.UNREACHABLE).build();
    }

    private void answer(NodeStatus n2, NodeStatus n3) {
        answers.put("n2", CompletableFuture.completedFuture(n2));
        answers.put("n3", CompletableFuture.completedFuture(n3));
        disks.poll();
    }

    @Test
    void aMajorityOfNodesMustHaveSpaceCountingTheLeader() {
        assertThat(FollowerDisks.refusal(List.of(status("n2", true), status("n3", false)))).isNull();
        assertThat(FollowerDisks.refusal(List.of(status("n2", true), status("n3", true))))
                .contains("n2 (100 MiB usable, minimum 1024 MiB)", "n3 (", "store.min.free.bytes",
                        "fewer than a majority of the 3 nodes", "nothing of this request was stored");
        List<NodeStatus> fiveNodes = List.of(status("a", true), status("b", true), status("c", false),
                status("d", false));
        assertThat(FollowerDisks.refusal(fiveNodes)).as("2 of 5 low: 3 commit").isNull();
        assertThat(FollowerDisks.refusal(List.of(status("a", true), status("b", true), status("c", true),
                status("d", false)))).contains("of the 5 nodes");
        assertThat(FollowerDisks.refusal(List.of())).as("a single node: only its own disk counts").isNull();
    }

    @Test
    void aFollowerThatIsDownOrInactiveCannotStoreButCausesNoRefusalByItself() {
        assertThat(FollowerDisks.refusal(List.of(status("n2", true), unreachable("n3"))))
                .as("the only majority left is the leader and the short n2")
                .contains("the disk of follower n2 (100 MiB usable", "is below its store.min.free.bytes and n3 is "
                        + "unreachable or inactive", "fewer than a majority");
        NodeStatus inactive = status("n3", false).toBuilder().setRole(Role.INACTIVE).build();
        assertThat(FollowerDisks.refusal(List.of(status("n2", true), inactive))).contains("n3 is unreachable");
        assertThat(FollowerDisks.refusal(List.of(unreachable("n2"), unreachable("n3"))))
                .as("no disk below its minimum: Raft decides whether a majority is left").isNull();
        NodeStatus older = NodeStatus.newBuilder().setSelf(NodeRef.newBuilder().setId("n3")).setRole(Role.FOLLOWER)
                .build();
        assertThat(FollowerDisks.refusal(List.of(status("n2", true), older)))
                .as("a node too old to report its disk counts as able").isNull();
        assertThat(FollowerDisks.refusal(List.of(status("a", true), unreachable("b"), status("c", false),
                status("d", false)))).as("5 nodes: leader, c and d are a majority").isNull();
    }

    @Test
    void aRoundThatCompletesAfterALaterOneDoesNotReplaceItsVerdict() {
        CompletableFuture<NodeStatus> slowN2 = new CompletableFuture<>();
        CompletableFuture<NodeStatus> slowN3 = new CompletableFuture<>();
        answers.put("n2", slowN2);
        answers.put("n3", slowN3);
        disks.poll(); // round 1: both low, answers late
        answer(status("n2", true), status("n3", false)); // round 2: n3 has space
        slowN2.complete(status("n2", true));
        slowN3.complete(status("n3", true));
        assertThatCode(disks::check).doesNotThrowAnyException();
    }

    @Test
    void aFailingRoundIsLoggedAndTheNextOneStillRuns() {
        FollowerDisks failing = new FollowerDisks(() -> true, () -> {
            throw new IllegalStateException("no configuration");
        }, p -> null, clock::get);
        assertThatCode(failing::poll).doesNotThrowAnyException();
        assertThatCode(failing::poll).doesNotThrowAnyException();
        FollowerDisks failingAnswers = new FollowerDisks(() -> true, () -> List.of(new PeerSpec("n2", "h", 1, 2)),
                p -> CompletableFuture.failedFuture(new IllegalStateException("boom")), clock::get);
        assertThatCode(failingAnswers::poll).doesNotThrowAnyException();
        assertThatCode(failingAnswers::check).doesNotThrowAnyException();
    }

    @Test
    void theFollowersWithSpaceAreThoseThatAnsweredActiveAndAboveTheirMinimumInAFreshRound() {
        assertThat(disks.followersWithSpace()).isEmpty();
        answer(status("n2", true), status("n3", false));
        assertThat(disks.followersWithSpace()).containsExactly("n3");
        answer(unreachable("n2"), status("n3", false).toBuilder().setRole(Role.INACTIVE).build());
        assertThat(disks.followersWithSpace()).isEmpty();
        answer(status("n2", false), status("n3", false));
        assertThat(disks.followersWithSpace()).containsExactly("n2", "n3");
        clock.addAndGet(FollowerDisks.STALE_NANOS);
        assertThat(disks.followersWithSpace()).isEmpty();
    }

    @Test
    void checkRefusesOnTheLastPollUntilSpaceIsFreedOrTheVerdictIsStale() {
        assertThatCode(disks::check).as("before any poll").doesNotThrowAnyException();
        answer(status("n2", true), status("n3", true));
        assertThatThrownBy(disks::check).isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                assertThat(e.getTrailers().get(RpcErrors.DETAIL_KEY).getCode()).isEqualTo(ErrorCode.STORAGE_FULL));
        clock.addAndGet(FollowerDisks.STALE_NANOS - 1);
        assertThatThrownBy(disks::check).isInstanceOf(StatusRuntimeException.class);
        clock.addAndGet(1);
        assertThatCode(disks::check).as("no fresh poll").doesNotThrowAnyException();

        answer(status("n2", true), status("n3", true));
        assertThatThrownBy(disks::check).isInstanceOf(StatusRuntimeException.class);
        answer(status("n2", true), status("n3", false)); // space freed on n3
        assertThatCode(disks::check).doesNotThrowAnyException();
    }

    @Test
    void aPollKeepsTheVerdictUntilEveryFollowerAnsweredAndANonLeaderDropsIt() {
        answer(status("n2", true), status("n3", true));
        CompletableFuture<NodeStatus> slow = new CompletableFuture<>();
        answers.put("n2", CompletableFuture.completedFuture(status("n2", false)));
        answers.put("n3", slow);
        disks.poll();
        assertThatThrownBy(disks::check).as("n3 has not answered yet").isInstanceOf(StatusRuntimeException.class);
        slow.complete(status("n3", false));
        assertThatCode(disks::check).doesNotThrowAnyException();

        answer(status("n2", true), status("n3", true));
        leader.set(false);
        disks.poll();
        assertThatCode(disks::check).doesNotThrowAnyException();

        leader.set(true);
        CompletableFuture<NodeStatus> inFlight = new CompletableFuture<>();
        answers.put("n2", CompletableFuture.completedFuture(status("n2", true)));
        answers.put("n3", inFlight);
        disks.poll(); // a round asks, then leadership is lost and regained before it completes
        leader.set(false);
        disks.poll();
        leader.set(true);
        inFlight.complete(status("n3", true));
        assertThatCode(disks::check).as("a round of the old term counts for nothing").doesNotThrowAnyException();
    }
}
