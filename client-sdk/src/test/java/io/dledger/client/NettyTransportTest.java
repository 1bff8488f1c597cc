package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dledger.proto.AdminServiceGrpc;
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
