package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dledger.proto.AdminServiceGrpc;
import io.dledger.proto.NodeRef;
import io.dledger.proto.NodeStatusRequest;
import io.dledger.proto.Role;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The default (Netty) channels against a real socket. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NettyTransportTest {

    @Test
    void theDefaultChannelFactoryReachesANettyServer() {
        FakeNode node = new FakeNode("solo", "unused", "unused");
        node.role = Role.LEADER;
        node.term = 1;
        int port = node.startOnNetty();
        try (DLedgerClient client = DLedgerClient.builder().seeds("127.0.0.1:" + port)
                .requestTimeout(Duration.ofSeconds(2)).operationTimeout(Duration.ofSeconds(5)).build()) {
            SendResult r = client.newProducer().send("t", Message.of("over tcp"));
            assertThat(r.offset()).isZero();
            assertThat(client.admin().describeCluster().leaderId()).isEqualTo("solo");
        } finally {
            node.stop();
        }
    }

    @Test
    void aRefusedConnectionProvesTheRequestWasNotSent() throws IOException {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + deadPort, InsecureChannelCredentials.create())
                .build();
        try {
            assertThatThrownBy(() -> AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getNodeStatus(NodeStatusRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        DLedgerException d = Errors.from(e);
                        assertThat(RetryPolicy.provesNotExecuted(d)).isTrue();
                        assertThat(RetryPolicy.decide(d, false, true)).isEqualTo(RetryPolicy.Decision.RETRY);
                    });
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * A pull from a named node whose port refuses connections (its process is gone) fails at once, not after a
     * request timeout of retries: a consumer that followed a suggestion there goes back to the leader.
     */
    @Test
    void aPullFromANamedNodeThatRefusesConnectionsFailsAtOnce() throws IOException {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        FakeNode leader = new FakeNode("n1", "unused", "unused");
        leader.role = Role.LEADER;
        leader.term = 1;
        int port = leader.startOnNetty();
        leader.peers = List.of(leader.ref(), NodeRef.newBuilder().setId("n2").setGrpcAddress("127.0.0.1:" + deadPort)
                .setRaftAddress("n2:8000").build());
        try (DLedgerClient client = DLedgerClient.builder().seeds("127.0.0.1:" + port)
                .requestTimeout(Duration.ofSeconds(20)).operationTimeout(Duration.ofSeconds(30)).build();
             PullConsumer consumer = client.newPullConsumer()) {
            assertThat(client.admin().describeCluster().nodes()).extracting(NodeView::id).contains("n2");
            long start = System.nanoTime();
            assertThatThrownBy(() -> consumer.pull(PullRequestOptions.of("t", 0, 0).fromNode("n2")))
                    .isInstanceOfSatisfying(DLedgerException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NODE_UNAVAILABLE);
                        assertThat(e.getMessage()).contains("cannot connect");
                    });
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                    .as("well within the 20 s request timeout it would have retried for").isLessThan(10_000);
            assertThat(consumer.pull(PullRequestOptions.of("t", 0, 0)).servedBy()).isEqualTo("n1");
        } finally {
            leader.stop();
        }
    }

    @Test
    void anUnreachableSeedFailsWithinTheOperationTimeout() throws IOException {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        try (DLedgerClient client = DLedgerClient.builder().seeds("127.0.0.1:" + deadPort)
                .operationTimeout(Duration.ofMillis(500)).build()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.newProducer().send("t", Message.of("x")))
                    .isInstanceOfSatisfying(DLedgerException.class, e -> assertThat(e.retryable()).isTrue());
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3_000);
            assertThat(client.admin().describeCluster().nodes()).singleElement()
                    .satisfies(n -> assertThat(n.reachable()).isFalse());
        }
    }
}
