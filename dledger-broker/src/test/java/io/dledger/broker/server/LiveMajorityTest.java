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
        assertThat(LiveMajority.problemAfterRemoving("n4", List.of("n1", "n2", "n3", "n4"), List.of("n1", "n2", "n4")))
                .as("three left, two of them answering, three of the four before").isEmpty();
        assertThat(LiveMajority.problemAfterRemoving("n4", List.of("n1", "n2", "n3", "n4"), List.of("n1", "n2")))
                .as("two of the four before: the joint configuration could not commit").isPresent();
    }

    @Test
    void withOneOfThreeDownTheOtherFollowerMustStay() {
        assertThat(LiveMajority.problemAfterRemoving("n2", THREE, List.of("n1", "n2"))).hasValue(
                "removing n2 needs a majority answering the leader among the members now (2 of 3 answer) and among "
                        + "those left (1 of 2): not there, so the change could not commit and no leader could be "
                        + "elected; start n3 first");
    }

    @Test
    void fiveNodesWithTwoDownKeepTheirThirdAnsweringOne() {
        List<String> five = List.of("n1", "n2", "n3", "n4", "n5");
        assertThat(LiveMajority.problemAfterRemoving("n3", five, List.of("n1", "n2", "n3")))
                .hasValueSatisfying(p -> assertThat(p).contains("(2 of 4)").endsWith("start n4, n5 first"));
        assertThat(LiveMajority.problemAfterRemoving("n4", five, List.of("n1", "n2", "n3"))).isEmpty();
    }
}
