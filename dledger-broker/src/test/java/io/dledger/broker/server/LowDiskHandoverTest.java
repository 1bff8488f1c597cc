package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.readroute.ReadSituation.FollowerLag;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LowDiskHandoverTest {
    private final AtomicBoolean leader = new AtomicBoolean(true);
    private final AtomicBoolean ownLow = new AtomicBoolean(true);
    private final AtomicLong clock = new AtomicLong();
    private List<String> withSpace = List.of("n2", "n3");
    private final List<String> transfers = new ArrayList<>();
    private final LowDiskHandover handover = new LowDiskHandover(leader::get, ownLow::get, () -> withSpace,
            () -> List.of(new FollowerLag(new PeerSpec("n2", "h", 1, 2), 40),
                    new FollowerLag(new PeerSpec("n3", "h", 1, 2), 3)), transfers::add, clock::get);

    @Test
    void aLeaderShortOfSpaceHandsLeadershipToTheLeastBehindFollowerWithSpaceThenTheNext() {
        handover.run();
        assertThat(transfers).containsExactly("n3");
        handover.run(); // still leader a second later: the transfer to n3 failed (n3 down, or too far behind)
        assertThat(transfers).as("the next candidate, not n3 again").containsExactly("n3", "n2");
        clock.addAndGet(LowDiskHandover.RETRY_NANOS - 1);
        handover.run();
        assertThat(transfers).as("each target once per retry period").containsExactly("n3", "n2");
        clock.addAndGet(1);
        handover.run();
        assertThat(transfers).containsExactly("n3", "n2", "n3");
    }

    @Test
    void aFollowerWhoseLagIsUnknownComesAfterThoseWithAKnownLag() {
        withSpace = List.of("n4", "n2");
        handover.run();
        assertThat(transfers).containsExactly("n2");
        handover.run();
        assertThat(transfers).containsExactly("n2", "n4");
    }

    @Test
    void nothingMovesWhenNotLeaderOrTheDiskHasSpaceOrNoFollowerHasSpace() {
        leader.set(false);
        handover.run();
        leader.set(true);
        ownLow.set(false);
        handover.run();
        ownLow.set(true);
        withSpace = List.of();
        handover.run();
        assertThat(transfers).isEmpty();
    }

    @Test
    void aFailureIsLoggedNotThrown() {
        LowDiskHandover failing = new LowDiskHandover(() -> true, () -> true, () -> {
            throw new IllegalStateException("boom");
        }, List::of, id -> true, clock::get);
        assertThatCode(failing::run).doesNotThrowAnyException();
    }
}
