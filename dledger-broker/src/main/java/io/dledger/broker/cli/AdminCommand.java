package io.dledger.broker.cli;

import io.dledger.client.ClusterView;
import io.dledger.client.DLedgerClient;
import io.dledger.client.NodeView;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dledger admin ...}: cluster operations. */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Cluster operations.",
        subcommands = {AdminCommand.TransferLeader.class, AdminCommand.Snapshot.class})
final class AdminCommand {

    /**
     * Fails at once when the cluster does not list {@code nodeId} or cannot reach it: the operation aimed at it
     * would otherwise retry until its timeout (the SDK waits for a named node that may be restarting).
     */
    static void requireReachable(DLedgerClient c, String nodeId) {
        ClusterView view = c.admin().describeCluster();
        NodeView n = view.nodes().stream().filter(v -> nodeId.equals(v.id())).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no node '" + nodeId + "' in the cluster (nodes: " + view.nodes().stream()
                        .map(NodeView::id).filter(java.util.Objects::nonNull).toList() + ")"));
        if (!n.reachable()) {
            throw new IllegalStateException("node " + nodeId + " is unreachable"
                    + (n.error() == null ? "" : ": " + n.error()));
        }
    }

    @Command(name = "transfer-leader", mixinStandardHelpOptions = true,
            description = "Hand leadership to a node (default: the least-behind follower, one with disk space "
                    + "first) and wait until it leads.")
    static final class TransferLeader implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--to", description = "node id to hand leadership to")
        String to;

        @Override
        public Integer call() {
            try (DLedgerClient c = client.connect()) {
                if (to != null) {
                    requireReachable(c, to);
                }
                String before = c.admin().leaderId().orElse("?");
                String after = c.admin().transferLeadership(to);
                System.out.println(before.equals(after) ? after + " is already the leader"
                        : "leadership moved from " + before + " to " + after);
                return 0;
            }
        }
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true,
            description = "Take a Raft snapshot now (lets JRaft truncate its log).")
    static final class Snapshot implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--node", description = "node id (default: the leader)")
        String node;

        @Override
        public Integer call() {
            try (DLedgerClient c = client.connect()) {
                if (node != null) {
                    requireReachable(c, node);
                }
                long index = c.admin().takeSnapshot(node);
                String on = node != null ? node // the leader the client sent it to (after any redirect)
                        : c.admin().leaderId().map(id -> "the leader (" + id + ")").orElse("the leader");
                System.out.println("snapshot taken on " + on + " at Raft index " + index);
                return 0;
            }
        }
    }
}
