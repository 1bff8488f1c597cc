package io.dledger.broker.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dledger.broker.config.ConfigException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class LocalClusterTest {
    @TempDir
    Path dir;

    @Test
    void badSettingsAreReportedBeforeAnythingIsWrittenOrStarted() {
        LocalCluster cluster = LocalCluster.create(dir.resolve("c"), 3, 0,
                Map.of("foo", "bar", "store.segment.bytes", "abc"));
        assertThatThrownBy(cluster::checkSettings).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown setting 'foo'").hasMessageContaining("store.segment.bytes");
        assertThat(Files.exists(dir.resolve("c"))).isFalse();

        LocalCluster.create(dir.resolve("d"), 3, 0, Map.of("election.timeout.ms", "700")).checkSettings();
    }

    /** Files named relative to where 'cluster up' ran still name them when a later command runs elsewhere. */
    @Test
    void settingsThatNameFilesAreKeptAbsolute() {
        LocalCluster cluster = LocalCluster.create(dir.resolve("c"), 3, 0, Map.of("grpc.tls.cert", "certs/node.pem",
                "grpc.auth.tokens.file", "tokens", "election.timeout.ms", "700", "raft.tls.ca", "/etc/ca.pem"));
        assertThat(cluster.settings()).containsEntry("grpc.tls.cert", Path.of("certs/node.pem").toAbsolutePath()
                .toString()).containsEntry("grpc.auth.tokens.file", Path.of("tokens").toAbsolutePath().toString())
                .containsEntry("election.timeout.ms", "700").containsEntry("raft.tls.ca", "/etc/ca.pem");
    }

    @Test
    void noNodeStartsWhenAPortOfOneIsTaken() throws Exception {
        LocalCluster cluster = LocalCluster.create(dir.resolve("c"), 3, 0, Map.of());
        NodeProcess second = cluster.nodes().get(1);
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress(second.peer().grpcPort()));
            assertThatThrownBy(cluster::startAll).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no node started")
                    .hasMessageContaining("port " + second.peer().grpcPort() + " (n2's gRPC)");
        }
        assertThat(cluster.nodes()).allSatisfy(n -> assertThat(n.alive()).isFalse());
        assertThat(Files.exists(dir.resolve("c"))).isFalse();
    }

    /** A single node's start ('cluster restart', 'add-node') checks its ports too, instead of exiting at once. */
    @Test
    void oneNodeDoesNotStartWhenAPortOfItsIsTaken() throws Exception {
        LocalCluster cluster = LocalCluster.create(dir.resolve("c"), 3, 0, Map.of());
        NodeProcess third = cluster.nodes().get(2);
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress(third.httpPort()));
            assertThatThrownBy(() -> cluster.start("n3")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("n3 not started: port " + third.httpPort() + " (n3's HTTP) in use (another cluster "
                            + "or program listens there); stop it first");
        }
        assertThat(cluster.node("n3").alive()).isFalse();
        assertThat(Files.exists(dir.resolve("c"))).isFalse();
    }

    @Test
    void anAddedNodeFollowsTheBasePortLayoutUnderAFreshId() throws Exception {
        for (int port : new int[] {27405, 27505, 27605}) {
            org.junit.jupiter.api.Assumptions.assumeFalse(PortAllocator.listenedOn(port),
                    "port " + port + " is in use here; the layout would fall back to free ports");
        }
        LocalCluster cluster = LocalCluster.create(dir.resolve("c"), 3, 27400, Map.of());
        Files.createDirectories(dir.resolve("c").resolve("n4")); // a removed n4's data, left on disk
        NodeProcess added = cluster.addNode();
        assertThat(added.id()).isEqualTo("n5");
        assertThat(added.peer().raftPort()).isEqualTo(27405);
        assertThat(added.peer().grpcPort()).isEqualTo(27505);
        assertThat(added.httpPort()).isEqualTo(27605);
        assertThat(added.joins()).isTrue();

        LocalCluster free = LocalCluster.create(dir.resolve("f"), 3, 0, Map.of());
        assertThat(free.addNode().peer().raftPort()).isBetween(PortAllocator.FIRST,
                PortAllocator.FIRST + PortAllocator.COUNT - 1);
    }

    @Test
    void theStateFileReadsBackWhatWasWritten() {
        LocalCluster cluster = LocalCluster.create(dir.resolve("c"), 3, 27400, Map.of("election.timeout.ms", "700"));
        cluster.addNode(); // saves, with a joining node
        LocalCluster loaded = LocalCluster.load(dir.resolve("c"));
        assertThat(loaded.nodes()).isEqualTo(cluster.nodes());
        assertThat(loaded.peers()).isEqualTo(cluster.peers());
        assertThat(loaded.nodes().get(3).joins()).isTrue();
        assertThatThrownBy(() -> LocalCluster.load(dir.resolve("none"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no local cluster");
    }
}
