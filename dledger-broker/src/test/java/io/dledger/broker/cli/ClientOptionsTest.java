package io.dledger.broker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.client.ClusterView;
import io.dledger.client.NodeRole;
import io.dledger.client.NodeView;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a client command says before it waits for a leader. */
@Timeout(10)
class ClientOptionsTest {
    private static NodeView node(String id, boolean answers) {
        return new NodeView(id, "127.0.0.1:1", answers ? NodeRole.FOLLOWER : NodeRole.UNKNOWN, 3, null, 10, 10, 10,
                0, 0, answers, answers ? null : "connection refused", 0, null, null, List.of());
    }

    @Test
    void aCommandWaitingForALeaderSaysWhyAndWhetherOneCanBeElected() {
        ClusterView minority = new ClusterView(List.of(node("n1", true), node("n2", false), node("n3", false)), null,
                0);
        assertThat(ClientOptions.noLeaderNote(minority, 30)).isEqualTo("note: no leader now (1 of 3 nodes answer: "
                + "fewer than a majority, none can be elected until more run); waiting up to 30 s (--timeout) for one");
        ClusterView election = new ClusterView(List.of(node("n1", true), node("n2", true), node("n3", false)), null,
                0);
        assertThat(ClientOptions.noLeaderNote(election, 5)).isEqualTo("note: no leader now (2 of 3 nodes answer); "
                + "waiting up to 5 s (--timeout) for one");
    }
}
