package io.dledger.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PeerSpecTest {
    @Test
    void parsesAPeerList() {
        List<String> problems = new ArrayList<>();
        assertThat(PeerSpec.parseList("n1=10.0.0.1:7001:9001, n2=host-2.example:7002:9002", problems))
                .containsExactly(new PeerSpec("n1", "10.0.0.1", 7001, 9001),
                        new PeerSpec("n2", "host-2.example", 7002, 9002));
        assertThat(problems).isEmpty();
    }

    /** A peer is stored in length-prefixed records on every replica: an overlong one must never get that far. */
    @Test
    void refusesOverlongHostsAndIdsWithAShortMessage() {
        List<String> problems = new ArrayList<>();
        String host = "h".repeat(70_000);
        assertThat(PeerSpec.parseList("n4=" + host + ":7004:9004", problems)).isEmpty();
        assertThat(PeerSpec.parseList("n".repeat(65) + "=localhost:7004:9004", problems)).isEmpty();
        assertThat(PeerSpec.parseList("n4=" + "h".repeat(PeerSpec.MAX_HOST_LENGTH) + ":7004:9004", problems))
                .hasSize(1);
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).contains("at most 253 characters").hasSizeLessThan(400);
    }

    @Test
    void refusesBadPorts() {
        List<String> problems = new ArrayList<>();
        assertThat(PeerSpec.parseList("n1=h:0:9001,n2=h:7002:7002,n3=h:70000:9003", problems)).isEmpty();
        assertThat(problems).hasSize(3);
    }
}
