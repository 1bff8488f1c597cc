package io.dledger.broker.cli;

import io.dledger.broker.local.LocalClients;
import io.dledger.broker.local.LocalCluster;
import io.dledger.broker.local.NodeProcess;
import io.dledger.client.DLedgerClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code dledger cluster add-node|remove-node}: changing a local cluster's membership online. */
final class ClusterMemberCommands {
    private ClusterMemberCommands() {
    }

    @Command(name = "add-node", mixinStandardHelpOptions = true,
            description = "Start one more node and add it to the Raft group; it catches up (by snapshot if needed).")
    static final class AddNode implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        ClusterCommand.DirOption dir = new ClusterCommand.DirOption();

        @Override
        public Integer call() {
            LocalCluster cluster = LocalCluster.load(dir.resolve());
            requireLeader(cluster);
            String id = cluster.addNode().id();
            NodeProcess n;
            try {
                n = cluster.start(id);
            } catch (RuntimeException e) { // not started (a port in use): not kept, or cluster up would wait on it
                cluster.forget(id);
                throw e;
            }
            System.out.println("started " + n.id() + " at " + n.grpcAddress() + "; adding it to the group...");
            try (DLedgerClient c = LocalClients.builder(cluster).build()) {
                awaitAnswer(cluster, n, Duration.ofSeconds(60));
                List<String> members = c.admin().addNode(n.id(), n.peer().host(), n.peer().raftPort(),
                        n.peer().grpcPort());
                System.out.println("members now: " + members);
                System.out.println("servers: " + cluster.seeds());
                System.out.println("status:  " + ClusterCommand.statusCommand(cluster) + " (shows when " + n.id()
                        + " caught up)");
            } catch (RuntimeException e) {
                rollBack(cluster, n, e);
                throw e;
            }
            return 0;
        }

        /**
         * A node is added through the leader: without one the new node could not be added, nor (after the add failed)
         * told apart from a member, so it would be left running. Refused before anything starts.
         */
        private static void requireLeader(LocalCluster cluster) {
            try (DLedgerClient c = LocalClients.builder(cluster).build()) {
                if (c.admin().leaderId().isEmpty()) {
                    io.dledger.client.ClusterView view = c.admin().describeCluster();
                    ClusterTable.requireSomeReachable(view);
                    if (view.leaderId() == null) {
                        throw new IllegalStateException(ClientOptions.noLeader(view) + "; a node is added through the "
                                + "leader: start the cluster first (bin/dledger cluster up" + ClusterCommand.dirFlag(
                                cluster.dir()) + ")");
                    }
                }
            }
        }

        /**
         * After a failed add: a node the leader does not list is stopped and forgotten (its data stays on disk);
         * one it lists may have become a member (the outcome of a timed-out add is unknown) and is left running,
         * as is any node when the leader cannot be asked.
         */
        private static void rollBack(LocalCluster cluster, NodeProcess n, RuntimeException failure) {
            try (DLedgerClient c = LocalClients.builder(cluster).build()) {
                // the leader's peer list holds an added node's recorded address until a failed add takes it back
                String leader = c.admin().describeCluster().leaderId();
                if (leader == null) {
                    throw new IllegalStateException("no leader to ask");
                }
                boolean member = c.admin().nodeStatus(leader).peerIds().contains(n.id());
                if (member) {
                    System.err.println(n.id() + " is (or is becoming) a member after all and keeps running; see: "
                            + "bin/dledger cluster status" + ClusterCommand.dirFlag(cluster.dir()));
                    return;
                }
                if (cluster.node(n.id()).alive()) {
                    cluster.stop(n.id(), Duration.ofSeconds(10));
                }
                cluster.forget(n.id());
                System.err.println("stopped " + n.id() + ", which the cluster did not add");
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
                System.err.println(n.id() + " keeps running: whether it became a member is unknown (" + e.getMessage()
                        + "); see: bin/dledger cluster status" + ClusterCommand.dirFlag(cluster.dir()));
            }
        }
    }

    /** Waits until a freshly started node of {@code cluster} answers (it cannot be caught up before); its status. */
    static io.dledger.client.NodeView awaitAnswer(LocalCluster cluster, NodeProcess n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (DLedgerClient direct = LocalClients.builder(cluster).seeds(n.grpcAddress())
                    .requestTimeout(Duration.ofSeconds(1)).operationTimeout(Duration.ofSeconds(2)).build()) {
                return direct.admin().nodeStatus(n.id());
            } catch (RuntimeException e) {
                if (!n.alive()) {
                    throw new IllegalStateException(n.id() + " exited; see " + n.logFile());
                }
                ClusterCommand.sleep(200);
            }
        }
        throw new IllegalStateException(n.id() + " did not answer at " + n.grpcAddress() + " within "
                + timeout.toSeconds() + " s" + (n.alive() ? "; it is still running (pid " + n.pid() + ")" : "")
                + ", see " + n.logFile());
    }

    @Command(name = "remove-node", mixinStandardHelpOptions = true,
            description = "Remove a node from the Raft group (a leader hands leadership over first), then stop it.")
    static final class RemoveNode implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        ClusterCommand.DirOption dir = new ClusterCommand.DirOption();

        @picocli.CommandLine.Parameters(paramLabel = "NODE")
        String node;

        /**
         * Whether the node follows no leader: it is not running, or it answers that it knows none. One that was never
         * added waits for a leader to add it, while a member follows one even when the leader holds no record of its
         * addresses; a running node that does not answer is not taken for either.
         */
        private boolean followsNoOne(LocalCluster cluster) {
            NodeProcess n = cluster.node(node);
            if (!n.alive()) {
                return true;
            }
            try {
                return awaitAnswer(cluster, n, Duration.ofSeconds(20)).leaderId() == null; // maybe started just now
            } catch (RuntimeException e) {
                return !n.alive();
            }
        }

        /** Removes the node; a leader refuses to remove itself, so it hands leadership over and is asked again. */
        private List<String> remove(DLedgerClient c) {
            try {
                return c.admin().removeNode(node);
            } catch (io.dledger.client.DLedgerException e) {
                if (e.code() != io.dledger.client.ErrorCode.INVALID_ARGUMENT
                        || !e.getMessage().contains(io.dledger.broker.server.RpcErrors.LEADER_NOT_REMOVED)) {
                    throw e;
                }
            }
            System.out.println(node + " leads; handing leadership over first...");
            System.out.println("leader now: " + c.admin().transferLeadership(null));
            return c.admin().removeNode(node);
        }

        @Override
        public Integer call() {
            LocalCluster cluster = LocalCluster.load(dir.resolve());
            cluster.node(node);
            try (DLedgerClient c = LocalClients.builder(cluster).build()) {
                String leader = c.admin().describeCluster().leaderId();
                if (leader != null && !c.admin().nodeStatus(leader).peerIds().contains(node) && followsNoOne(cluster)) {
                    // left running by an add that failed without a leader to ask: nothing to remove from the group
                    System.out.println(node + " is not in the Raft group (the leader, " + leader + ", does not list "
                            + "it, and it follows no leader); stopping it here only");
                } else {
                    System.out.println("members now: " + remove(c));
                }
            }
            cluster.stop(node, Duration.ofSeconds(15));
            cluster.forget(node);
            System.out.println("stopped " + node + " (its data stays in " + cluster.dir().resolve(node) + ")");
            return 0;
        }
    }
}
