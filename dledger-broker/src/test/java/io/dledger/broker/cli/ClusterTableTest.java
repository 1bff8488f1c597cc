package io.dledger.broker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.client.ClusterView;
import io.dledger.client.NodeView;
import io.dledger.client.NodeRole;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClusterTableTest {
    private static final long GIB = 1L << 30;

    private static NodeView node(String id, NodeRole role, NodeView.Disk disk) {
        return new NodeView(id, "127.0.0.1:1", role, 3, "n1", 10, 10, 10, 0, 0, true, null, 0, null, disk, List.of());
    }

    @Test
    void showsEachNodesFreeDiskAndExplainsALowOne() {
        ClusterView view = new ClusterView(List.of(node("n1", NodeRole.LEADER, new NodeView.Disk(50 * GIB / 4,
                GIB, false)), node("n2", NodeRole.FOLLOWER, new NodeView.Disk(GIB / 2, GIB, true)),
                node("n3", NodeRole.FOLLOWER, null)), "n1", 3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ClusterTable.print(view, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("DISK FREE").containsPattern("n1 .* 12\\.5 GiB")
                .containsPattern("n2 .* 0\\.5 GiB LOW")
                .contains("LOW: the node's disk is below its store.min.free.bytes");
        assertThat(ClusterTable.json(view)).contains("\"usableBytes\": " + GIB / 2, "\"belowMinimum\": true");
    }

    @Test
    void anUnreachableNodesOwnFiguresAreNullInJson() {
        NodeView down = new NodeView("n3", "127.0.0.1:3", NodeRole.UNKNOWN, 0, null, 0, 0, 0, 0, 0, false,
                "connection refused", 0, null, null, List.of());
        String json = ClusterTable.json(new ClusterView(List.of(down), null, 0));
        assertThat(json).contains("\"role\": \"UNREACHABLE\"", "\"term\": null", "\"commitIndex\": null",
                "\"appliedIndex\": null", "\"lagEntries\": null", "\"error\": \"connection refused\"");
        String up = ClusterTable.json(new ClusterView(List.of(node("n1", NodeRole.LEADER, null)), "n1", 3));
        assertThat(up).as("a reachable node's zeros stay zeros").contains("\"lagEntries\": 0", "\"term\": 3");
    }

    private static ClusterView allDown(String... errors) {
        List<NodeView> nodes = new java.util.ArrayList<>();
        for (int i = 0; i < errors.length; i++) {
            nodes.add(new NodeView(null, "127.0.0.1:" + (i + 1), NodeRole.UNKNOWN, 0, null, 0, 0, 0, 0, 0, false,
                    errors[i], 0, null, null, List.of()));
        }
        return new ClusterView(nodes, null, 0);
    }

    /** Nodes that answered but refused the client are not "unreachable", and starting a cluster would not help. */
    @Test
    void noAnswerSaysWhetherTheNodesAreDownOrRefusedTheClient() {
        assertThat(ClusterTable.unreachable(allDown("NODE_UNAVAILABLE (UNAVAILABLE): cannot connect: Connection "
                + "refused", "NODE_UNAVAILABLE (UNAVAILABLE): cannot connect: Connection refused")))
                .startsWith("no node is reachable at [127.0.0.1:1, 127.0.0.1:2]; NODE_UNAVAILABLE (UNAVAILABLE): "
                        + "cannot connect: Connection refused (is the cluster running?");
        String tokenless = "UNAUTHENTICATED: the call carries no token: this node serves only calls with one of the "
                + "tokens of its grpc.auth.tokens.file";
        assertThat(ClusterTable.unreachable(allDown(tokenless, tokenless, tokenless)))
                .startsWith("every node at [127.0.0.1:1, 127.0.0.1:2, 127.0.0.1:3] refused this client; " + tokenless)
                .endsWith("(give a token: --token-file or $DLEDGER_TOKEN)").doesNotContain("cluster up");
        assertThat(ClusterTable.unreachable(allDown("NODE_UNAVAILABLE (UNAVAILABLE): closed unanswered (if this "
                + "client is plaintext, the node may serve TLS: --tls-ca)", "NODE_UNAVAILABLE (UNAVAILABLE): "
                + "connection lost (if this client is plaintext, the node may serve TLS: --tls-ca): Connection reset")))
                .startsWith("no node at [127.0.0.1:1, 127.0.0.1:2] took this client's connection; ")
                .contains("closed unanswered", " | ", "connection lost").endsWith("(check the TLS setting: --tls-ca "
                        + "or $DLEDGER_TLS_CA)");
        assertThat(ClusterTable.unreachable(allDown("INTERNAL: not a gRPC port: it answers HTTP/1 (a node's HTTP "
                + "port?)", "NODE_UNAVAILABLE (UNAVAILABLE): not a gRPC port: TLS without HTTP/2 (a node's HTTP or "
                + "Raft port?)"))).startsWith("no gRPC port at [127.0.0.1:1, 127.0.0.1:2]; ")
                .endsWith("(give the nodes' gRPC ports: the last port of each peers entry, id=host:raftPort:grpcPort; "
                        + "9101-9103 in a default local cluster)")
                .doesNotContain("check the TLS setting");
        // closed or reset before any answer: TLS, or a port that is no gRPC port (a plaintext Raft port), both said
        assertThat(ClusterTable.unreachable(allDown("NODE_UNAVAILABLE (UNAVAILABLE): closed unanswered (plaintext "
                + "client? the node may serve TLS: --tls-ca; or not its gRPC port)", "NODE_UNAVAILABLE (UNAVAILABLE): "
                + "connection lost (plaintext client? the node may serve TLS: --tls-ca; or not its gRPC port): "
                + "Connection reset by peer"))).startsWith("no node at [127.0.0.1:1, 127.0.0.1:2] took this client's "
                        + "connection; ")
                .endsWith("(give the nodes' gRPC ports, the last port of each peers entry; if they serve TLS, "
                        + "--tls-ca or $DLEDGER_TLS_CA)");
    }

    @Test
    void aDiskNotReportedOrUnknownIsMarkedSo() {
        assertThat(ClusterTable.disk(null)).isEqualTo("-");
        assertThat(ClusterTable.disk(new NodeView.Disk(-1, GIB, false))).isEqualTo("?");
    }
}
