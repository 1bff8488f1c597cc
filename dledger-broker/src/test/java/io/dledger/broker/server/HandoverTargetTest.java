package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.readroute.ReadSituation.FollowerLag;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class HandoverTargetTest {
    private static FollowerLag lag(String id, long entries) {
        return new FollowerLag(new PeerSpec(id, "h", 1, 2), entries);
    }

    @Test
    void theLeastBehindFollowerWhenDisksAreUnknown() {
        assertThat(HandoverTarget.choose(List.of(lag("n2", 40), lag("n3", 3)), List.of())).contains("n3");
    }

    @Test
    void aFollowerWithSpaceGoesBeforeOneShortOfIt() {
        assertThat(HandoverTarget.choose(List.of(lag("n2", 40), lag("n3", 3)), List.of("n2"))).contains("n2");
        assertThat(HandoverTarget.choose(List.of(lag("n2", 40), lag("n3", 3)), List.of("n2", "n3"))).contains("n3");
    }

    @Test
    void aFollowerThatIsDownIsNeverChosen() {
        assertThat(HandoverTarget.choose(List.of(lag("n2", -1), lag("n3", 900)), List.of("n2"))).contains("n3");
        assertThat(HandoverTarget.choose(List.of(lag("n2", -1)), List.of("n2"))).isEmpty();
        assertThat(HandoverTarget.choose(List.of(), List.of())).isEmpty();
    }
}
