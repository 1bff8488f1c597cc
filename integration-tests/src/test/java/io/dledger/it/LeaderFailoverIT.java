package io.dledger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * kill -9 under load: the leader, and then every node at once. Nothing acknowledged may be lost or
 * stored twice, the producer must not see a failed send, and every replica ends identical.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LeaderFailoverIT extends ClusterTestBase {
    @Test
    void killedLeaderIsReplacedAndCatchesUpAfterRestart() throws Exception {
        cluster = TestCluster.start("failover", 3, Map.of());
        cluster.client().admin().createTopic("events", 4);
        AckedMessages acked = new AckedMessages();
        String oldLeader;
        try (BackgroundProducer producer = new BackgroundProducer(cluster.client(), "events", "p", acked)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> producer.acknowledged() >= 200);
            oldLeader = cluster.killLeader();
            int atKill = producer.acknowledged();
            String newLeader = cluster.awaitLeader();
            assertThat(newLeader).isNotEqualTo(oldLeader);
            // the survivors saw the leader's process gone (a connection closed, its port refused) and did not wait
            // out the election timeout
            await().atMost(Duration.ofSeconds(10)).until(() -> survivorLogsMention(oldLeader,
                    "is gone (its Raft port refuses connections)"));
            await().atMost(Duration.ofSeconds(10)).until(() -> survivorLogsMention(oldLeader,
                    "a leader is elected: election timeout back to 500 ms"));
            assertThat(survivorLogsMention(oldLeader, "(+ up to 100 ms)")).as("the first survivor by id hurries")
                    .isTrue();
            await().atMost(Duration.ofSeconds(60)).until(() -> producer.acknowledged() >= atKill + 200);
            assertThat(producer.errors()).as("sends that failed for the caller").isEmpty();
        }
        cluster.restart(oldLeader);
        cluster.awaitIdenticalReplicas("events");
        acked.assertAllPresentExactlyOnce(cluster.client(), "events");
    }

    private boolean survivorLogsMention(String deadNode, String text) throws java.io.IOException {
        for (String id : cluster.nodeIds()) {
            if (!id.equals(deadNode)
                    && java.nio.file.Files.readString(cluster.local().node(id).logFile()).contains(text)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void wholeClusterKilledMidWriteRecoversEveryAcknowledgedMessage() throws Exception {
        // small Raft log segments: the crash lands after several rolls
        cluster = TestCluster.start("crash-all", 3, Map.of("raft.log.segment.bytes", "8192"));
        cluster.client().admin().createTopic("journal", 2);
        AckedMessages acked = new AckedMessages();
        BackgroundProducer producer = new BackgroundProducer(cluster.client(), "journal", "j", acked);
        await().atMost(Duration.ofSeconds(60)).until(() -> producer.acknowledged() >= 300);
        for (String id : cluster.nodeIds()) {
            cluster.kill(id);
        }
        producer.close();
        for (String id : cluster.nodeIds()) {
            cluster.restart(id);
        }
        cluster.awaitLeader();
        cluster.awaitIdenticalReplicas("journal");
        acked.assertAllPresentExactlyOnce(cluster.client(), "journal");
        assertThat(acked.size()).isGreaterThanOrEqualTo(300);
    }
}
