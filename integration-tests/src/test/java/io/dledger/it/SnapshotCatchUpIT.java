package io.dledger.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.client.Message;
import io.dledger.client.Producer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A follower that was down while the others took snapshots and truncated their Raft logs can only
 * catch up by installing a snapshot; it must end with a store identical to the others.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SnapshotCatchUpIT extends ClusterTestBase {
    @Test
    void followerBehindTheTruncatedLogInstallsASnapshot() throws Exception {
        cluster = TestCluster.start("snapshot", 3, Map.of("snapshot.interval.secs", "0", "store.segment.bytes", "65536",
                "batch.max.bytes", "16384",
                "message.max.bytes", "4096", "raft.log.segment.bytes", "16384")); // snapshots cut across log segments
        cluster.client().admin().createTopic("logs", 3);
        AckedMessages acked = new AckedMessages();
        String leader = cluster.awaitLeader();
        String lagging = cluster.nodeIds().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        try (Producer p = cluster.client().newProducer()) {
            send(p, acked, "before", 100);
            cluster.kill(lagging);
            // JRaft keeps the Raft log from the previous snapshot on: two snapshots push its start past
            // everything the lagging node has
            for (int round = 0; round < 2; round++) {
                send(p, acked, "while-down-" + round, 200);
                for (String id : cluster.nodeIds()) {
                    if (!id.equals(lagging)) {
                        assertThat(cluster.client().admin().takeSnapshot(id)).isPositive();
                    }
                }
            }
            send(p, acked, "after-snapshot", 100);
            cluster.restart(lagging);
            cluster.awaitIdenticalReplicas("logs");
            assertThat(cluster.client().admin().nodeStatus(lagging).snapshotsInstalled()).isGreaterThanOrEqualTo(1);
            send(p, acked, "after-install", 50);
        }
        cluster.awaitIdenticalReplicas("logs");
        acked.assertAllPresentExactlyOnce(cluster.client(), "logs");
    }

    private static void send(Producer p, AckedMessages acked, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            String body = prefix + "-" + i + "-" + "x".repeat(200);
            acked.add(body, p.send("logs", Message.of(body)));
        }
    }
}
