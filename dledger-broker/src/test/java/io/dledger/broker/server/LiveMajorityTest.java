package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LiveMajorityTest {
    private static final List<String> THREE = List.of("n1", "n2", "n3");

    @Test
    void aFollowerMayGoWhenTheOthersAnswer() {
        assertThat(LiveMajority.problemAfterRemoving("n2", THREE, THREE)).isEmpty();
        assertThat(LiveMajority.problemAfterRemoving("n2", THREE, List.of("n1", "n3"))).as("the down node itself")
                .isEmpty();
        assertThat(LiveMajority.problemAfterRemoving("n4", List.of("n1", "n2", "n3", "n4"), List.of("n1", "n2")))
                .as("three left, two of them answering").isEmpty();
    }

    @Test
    void withOneOfThreeDownTheOtherFollowerMustStay() {
        assertThat(LiveMajority.problemAfterRemoving("n2", THREE, List.of("n1", "n2"))).hasValue(
                "removing n2 would leave [n1, n3], of which only 1 answer the leader (n3 does not): fewer than a "
                        + "majority, so the change could not commit and no leader could be elected; start n3 first");
    }

    @Test
    void fiveNodesWithTwoDownKeepTheirThirdAnsweringOne() {
        List<String> five = List.of("n1", "n2", "n3", "n4", "n5");
        assertThat(LiveMajority.problemAfterRemoving("n3", five, List.of("n1", "n2", "n3")))
                .hasValueSatisfying(p -> assertThat(p).contains("(n4, n5 do not)").endsWith("start n4, n5 first"));
        assertThat(LiveMajority.problemAfterRemoving("n4", five, List.of("n1", "n2", "n3"))).isEmpty();
    }
}
