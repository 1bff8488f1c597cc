package io.dledger.broker.readroute;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.readroute.ReadSituation.FollowerLag;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ReadRouterTest {
    private static final PeerSpec N1 = new PeerSpec("n1", "h1", 1, 2);
    private static final PeerSpec N2 = new PeerSpec("n2", "h2", 1, 2);
    private static final PeerSpec N3 = new PeerSpec("n3", "h3", 1, 2);

    private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(100));
    private final LoadMeter produced = new LoadMeter(now::get);
    private final LoadMeter pulls = new LoadMeter(now::get);
    private final ReadRouter router = new ReadRouter(new ReadRouteConfig(true, 1000, 200, 1 << 20, 100),
            produced, pulls);

    private static ReadSituation leader(long bytesBehind, FollowerLag... followers) {
        return new ReadSituation(true, N1, List.of(followers), bytesBehind, 0, List.of());
    }

    private void advanceOneSecond() {
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void idleLeaderKeepsHotReads() {
        ReadRouter.Suggestion s = router.suggest(leader(10, new FollowerLag(N2, 0), new FollowerLag(N3, 0)), "t", 0);
        assertThat(s.node()).isNull();
        assertThat(s.reason()).isEqualTo("stay");
    }

    @Test
    void coldReadsGoToACaughtUpFollower() {
        ReadRouter.Suggestion s = router.suggest(leader(2 << 20, new FollowerLag(N2, 0), new FollowerLag(N3, 5000)),
                "t", 0);
        assertThat(s.node()).isEqualTo(N2);
        assertThat(s.reason()).isEqualTo("cold-data");
    }

    @Test
    void busyLeaderSpreadsQueuesOverFollowersStickily() {
        produced.record(5000);
        advanceOneSecond();
        ReadSituation s = leader(0, new FollowerLag(N2, 3), new FollowerLag(N3, 0));
        assertThat(router.suggest(s, "t", 0).reason()).isEqualTo("leader-busy");
        java.util.Set<String> chosen = new java.util.HashSet<>();
        for (int q = 0; q < 8; q++) {
            PeerSpec first = router.suggest(s, "t", q).node();
            assertThat(router.suggest(s, "t", q).node()).as("same queue, same follower").isEqualTo(first);
            chosen.add(first.id());
        }
        assertThat(chosen).containsExactlyInAnyOrder("n2", "n3");
    }

    @Test
    void pullRateAlsoMakesTheLeaderBusyAndTheSignalDecays() {
        pulls.record(300);
        advanceOneSecond();
        assertThat(router.suggest(leader(0, new FollowerLag(N2, 0)), "t", 1).reason()).isEqualTo("leader-busy");
        advanceOneSecond();
        advanceOneSecond();
        assertThat(router.suggest(leader(0, new FollowerLag(N2, 0)), "t", 1).reason()).isEqualTo("stay");
    }

    @Test
    void laggingOrDeadFollowersAreNeverSuggested() {
        produced.record(5000);
        advanceOneSecond();
        ReadRouter.Suggestion s = router.suggest(leader(2 << 20, new FollowerLag(N2, 101), new FollowerLag(N3, -1)),
                "t", 0);
        assertThat(s.node()).as("the leader serves everything").isNull();
        assertThat(s.reason()).isEqualTo("cold-data,no-caught-up-follower");
    }

    @Test
    void laggingFollowerSendsConsumersToTheLeader() {
        ReadSituation lagging = new ReadSituation(false, N1, List.of(), 0, 500, List.of());
        assertThat(router.suggest(lagging, "t", 0)).isEqualTo(new ReadRouter.Suggestion(N1, "follower-lagging"));
        ReadSituation applying = new ReadSituation(false, N1, List.of(), 0, 3, List.of());
        assertThat(router.suggest(applying, "t", 0)).as("a few entries still to apply: wait here")
                .isEqualTo(new ReadRouter.Suggestion(null, "stay"));
        ReadSituation caughtUp = new ReadSituation(false, N1, List.of(), 0, 0, List.of());
        assertThat(router.suggest(caughtUp, "t", 0).node()).isNull();
    }

    @Test
    void followerWithoutALeaderSendsConsumersToAnotherMemberStickily() {
        ReadSituation cutOff = new ReadSituation(false, null, List.of(), 0, 0, List.of(N3, N1));
        java.util.Set<String> chosen = new java.util.HashSet<>();
        for (int q = 0; q < 8; q++) {
            ReadRouter.Suggestion s = router.suggest(cutOff, "t", q);
            assertThat(s.reason()).isEqualTo("no-leader");
            assertThat(router.suggest(cutOff, "t", q)).isEqualTo(s);
            chosen.add(s.node().id());
        }
        assertThat(chosen).containsExactlyInAnyOrder("n1", "n3");
        ReadSituation alone = new ReadSituation(false, null, List.of(), 0, 0, List.of());
        assertThat(router.suggest(alone, "t", 0)).isEqualTo(new ReadRouter.Suggestion(null, "stay,no-leader"));
    }

    @Test
    void disabledRoutingAlwaysStays() {
        ReadRouter off = new ReadRouter(new ReadRouteConfig(false, 0, 0, 0, 0), produced, pulls);
        assertThat(off.suggest(leader(1 << 30, new FollowerLag(N2, 0)), "t", 0).node()).isNull();
    }

    @Test
    void loadMeterCountsTheLastFullSecond() {
        LoadMeter m = new LoadMeter(now::get);
        m.record(10);
        m.record(5);
        assertThat(m.perSecond()).isZero();
        advanceOneSecond();
        assertThat(m.perSecond()).isEqualTo(15);
        m.record(1);
        advanceOneSecond();
        assertThat(m.perSecond()).isEqualTo(1);
        advanceOneSecond();
        advanceOneSecond();
        assertThat(m.perSecond()).isZero();
    }
}
