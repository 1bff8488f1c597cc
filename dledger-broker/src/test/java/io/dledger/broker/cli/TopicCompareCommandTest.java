package io.dledger.broker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.check.ReplicaComparison;
import io.dledger.client.ReplicaDigest;
import io.dledger.client.ReplicaDigest.QueueDigest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TopicCompareCommandTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private static ReplicaDigest digest(String node, long applied, QueueDigest... queues) {
        return new ReplicaDigest(node, "t", applied, List.of(queues));
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void identicalReplicasOnEveryNodeExitZero() {
        Map<String, ReplicaDigest> d = new LinkedHashMap<>();
        QueueDigest q0 = new QueueDigest(0, 0, 10, "aaaa");
        QueueDigest q1 = new QueueDigest(1, 2, 5, "bbbb");
        d.put("n1", digest("n1", 40, q0, q1));
        d.put("n2", digest("n2", 40, q0, q1));
        assertThat(TopicCompareCommand.report("t", new ReplicaComparison(d, Map.of(), true, true), out)).isZero();
        assertThat(printed()).isEqualTo("t: identical on n1, n2 (2 queues, 13 messages)\n");
    }

    @Test
    void aNodeThatGaveNoDigestsIsNamedAndFailsTheComparison() {
        Map<String, ReplicaDigest> d = new LinkedHashMap<>();
        d.put("n1", digest("n1", 40, new QueueDigest(0, 0, 1, "aaaa")));
        ReplicaComparison r = new ReplicaComparison(d, Map.of("n3", "cannot connect"), true, true);
        assertThat(r.ok()).isFalse();
        assertThat(TopicCompareCommand.report("t", r, out)).isOne();
        assertThat(printed()).contains("n3: no digests (cannot connect)")
                .contains("t: identical on n1 (1 queue, 1 message); not compared: n3");
    }

    @Test
    void differingQueuesAreListedWithEachNodesOffsetsAndDigest() {
        Map<String, ReplicaDigest> d = new LinkedHashMap<>();
        QueueDigest same = new QueueDigest(0, 0, 10, "aaaa");
        d.put("n1", digest("n1", 40, same, new QueueDigest(1, 0, 5, "0123456789abcdef")));
        d.put("n2", digest("n2", 40, same, new QueueDigest(1, 0, 4, "fedcba9876543210")));
        assertThat(TopicCompareCommand.report("t", new ReplicaComparison(d, Map.of(), false, true), out)).isOne();
        assertThat(printed()).contains("t: replicas differ at the same applied index")
                .contains("  queue 1: n1 [0, 5) 0123456789ab n2 [0, 4) fedcba987654").doesNotContain("queue 0:")
                .contains("  n2 applied index 40");
    }
}
