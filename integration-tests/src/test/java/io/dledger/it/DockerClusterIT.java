package io.dledger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dledger.client.DLedgerClient;
import io.dledger.client.DLedgerException;
import io.dledger.client.Message;
import io.dledger.client.Producer;
import io.dledger.client.PullConsumer;
import io.dledger.client.PullResult;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The Docker deployment ({@code deploy/docker-compose.yml}) as users run it: three containers, clients on
 * the host through the published ports; a container killed, a container cut off the network.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerClusterIT {
    private static DockerCluster cluster;

    @BeforeAll
    static void up() {
        DockerRequirement.check();
        cluster = new DockerCluster();
        cluster.client().admin().createTopic("docker", 4);
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void produceFromTheHostAndConsumeItBack() {
        DLedgerClient client = cluster.client();
        AckedMessages acked = new AckedMessages();
        try (Producer p = client.newProducer()) {
            for (int i = 0; i < 200; i++) {
                acked.add("hello-" + i, p.send("docker", Message.of("hello-" + i).withKey("k" + (i % 8))));
            }
        }
        acked.assertAllPresentExactlyOnce(client, "docker");
        try (PullConsumer c = client.newPullConsumer()) {
            PullResult r = c.pull("docker", 0, 0, 10);
            assertThat(r.servedBy()).isIn("n1", "n2", "n3");
        }
        cluster.awaitIdenticalReplicas("docker");
    }

    @Test
    @Order(2)
    void killedLeaderContainerIsReplacedAndComesBackIdentical() throws Exception {
        AckedMessages acked = new AckedMessages();
        String oldLeader = cluster.awaitLeader(null);
        try (BackgroundProducer producer = new BackgroundProducer(cluster.client(), "docker", "k", acked)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> producer.acknowledged() >= 100);
            cluster.kill(oldLeader);
            String newLeader = cluster.awaitLeader(oldLeader);
            assertThat(newLeader).isNotEqualTo(oldLeader);
            int atElection = producer.acknowledged();
            await().atMost(Duration.ofSeconds(60)).until(() -> producer.acknowledged() >= atElection + 100);
            assertThat(producer.errors()).as("sends that failed for the caller").isEmpty();
        }
        cluster.ensureRunning(oldLeader);
        cluster.awaitReady(oldLeader);
        cluster.awaitIdenticalReplicas("docker");
        acked.assertAllPresentExactlyOnce(cluster.client(), "docker");
    }

    @Test
    @Order(3)
    void partitionedLeaderAcknowledgesNothingAndRejoinsAsFollower() throws Exception {
        AckedMessages acked = new AckedMessages();
        String oldLeader = cluster.awaitLeader(null);
        try (DLedgerClient stuck = DLedgerClient.builder().seeds(cluster.seedOf(oldLeader))
                .requestTimeout(Duration.ofSeconds(2)).operationTimeout(Duration.ofSeconds(6)).build();
             Producer stuckProducer = stuck.newProducer();
             BackgroundProducer producer = new BackgroundProducer(cluster.client(), "docker", "p", acked)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> producer.acknowledged() >= 50);
            String network = cluster.disconnect(oldLeader);
            String newLeader = cluster.awaitLeader(oldLeader);
            assertThat(newLeader).isNotEqualTo(oldLeader);
            for (int i = 0; i < 3; i++) {
                int n = i;
                assertThatThrownBy(() -> stuckProducer.send("docker", Message.of("isolated-" + n)))
                        .as("a client that can only reach the isolated old leader gets an error")
                        .isInstanceOf(DLedgerException.class);
            }
            int atElection = producer.acknowledged();
            await().atMost(Duration.ofSeconds(60)).until(() -> producer.acknowledged() >= atElection + 100);
            cluster.reconnect(oldLeader, network);
            cluster.awaitReady(oldLeader);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> cluster.client().admin()
                    .nodeStatus(oldLeader).role() == io.dledger.client.NodeRole.FOLLOWER);
        }
        cluster.awaitIdenticalReplicas("docker");
        acked.assertAllPresentExactlyOnce(cluster.client(), "docker");
        try (PullConsumer c = cluster.client().newPullConsumer()) {
            for (int q = 0; q < 4; q++) {
                long offset = 0;
                while (true) {
                    PullResult r = c.pull("docker", q, offset, 1000);
                    if (r.messages().isEmpty()) {
                        break;
                    }
                    assertThat(r.messages()).noneMatch(m -> m.bodyAsString().startsWith("isolated-"));
                    offset = r.nextOffset();
                }
            }
        }
    }
}
