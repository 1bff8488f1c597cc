package io.dledger.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GroupMembersTest {

    @Test
    void claimCountsFollowEveryChangeOfWhatMembersClaim() {
        GroupMembers g = new GroupMembers();
        GroupMembers.Member a = g.join("a");
        GroupMembers.Member b = g.join("b");
        g.claim(a, Set.of(0, 1));
        g.claim(b, Set.of(1, 2));
        assertThat(g.claimedByOthers(a, 0)).isFalse();
        assertThat(g.claimedByOthers(a, 1)).as("both claim it").isTrue();
        assertThat(g.claimedByOthers(a, 2)).isTrue();
        assertThat(g.claimedByOthers(a, 3)).isFalse();

        g.claim(b, Set.of(2)); // b released queue 1
        assertThat(g.claimedByOthers(a, 1)).isFalse();
        assertThat(g.claimedByOthers(b, 1)).isTrue();

        assertThat(g.remove("a")).isTrue();
        assertThat(g.remove("a")).isFalse();
        assertThat(g.claimedByOthers(b, 1)).as("a's claims left with it").isFalse();

        GroupMembers.Member c = g.join("c");
        g.claim(c, Set.of(2, 5));
        b.lastSeen = -1;
        g.removeIf(m -> m.lastSeen < 0);
        assertThat(g.all()).containsOnlyKeys("c");
        assertThat(g.claimedByOthers(c, 2)).as("b's claims left with it").isFalse();
        GroupMembers.Member d = g.join("d");
        assertThat(g.claimedByOthers(d, 2)).isTrue();
        assertThat(g.claimedByOthers(d, 5)).isTrue();
    }

    @Test
    void theGenerationAdvancesOnceForEachChangeOfTheMembers() {
        GroupMembers g = new GroupMembers();
        g.join("b");
        g.join("a");
        long first = g.generation();
        List<String> ids = g.ids();
        assertThat(ids).containsExactly("a", "b");
        g.join("a"); // a heartbeat of a known member
        assertThat(g.generation()).isEqualTo(first);
        assertThat(g.ids()).isSameAs(ids);
        g.join("c");
        assertThat(g.lastGeneration()).as("not advanced until asked").isEqualTo(first);
        assertThat(g.generation()).isEqualTo(first + 1);
        assertThat(g.generation()).isEqualTo(first + 1);
        g.remove("c");
        assertThat(g.generation()).isEqualTo(first + 2);
        assertThat(g.ids()).containsExactly("a", "b");
    }
}
