package io.dledger.broker.cli;

import io.dledger.broker.config.ConfigException;
import io.dledger.broker.local.LocalCluster;
import io.dledger.broker.local.NodeProcess;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dledger cluster restart NODE [--set key=value]...}: a graceful restart of one node of the local cluster,
 * optionally with settings of its own for this run (a log level, a smaller disk allowance), as an operator would
 * roll a setting out one node at a time. Nothing is saved: {@code cluster up} starts the node with the cluster's
 * settings again. Settings the node could not start with are refused before it stops; the command returns once the
 * node answers, and fails (naming its log) when it exits at start. One command per process; not shared.
 */
@Command(name = "restart", mixinStandardHelpOptions = true,
        description = "Stop one node of the local cluster (SIGTERM, then SIGKILL after 15 s) and start it again; --set "
                + "applies to this run of this node only.")
final class ClusterRestartCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ClusterCommand.DirOption dir = new ClusterCommand.DirOption();

    @Parameters(paramLabel = "NODE", description = "node id, e.g. n2")
    String node;

    @Option(names = "--set", description = "node setting key=value for this run of this node (repeatable)")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() {
        LocalCluster cluster = LocalCluster.load(dir.resolve());
        boolean wasRunning = cluster.node(node).alive();
        // Ctrl-C between the stop and the node's answer (the node shares this terminal's process group): say so
        NodeProcess n;
        try (InterruptNotice interrupted = new InterruptNotice(() -> "interrupted: " + node + " may be stopped; start "
                + "it with: bin/dledger cluster up" + ClusterCommand.dirFlag(dir.resolve()))) {
            n = cluster.restart(node, Duration.ofSeconds(15), settings);
            ClusterMemberCommands.awaitAnswer(cluster, n, Duration.ofSeconds(60)); // fails when it exits at start
        } catch (ConfigException e) { // a setting the node could not start with: bad input, as for cluster up
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        System.out.println((wasRunning ? "restarted " : "started ") + n.id() + " (pid " + n.pid()
                + (wasRunning ? "" : "; it was not running") + ")"
                + (settings.isEmpty() ? "" : " with " + settings + " for this run"));
        long running = cluster.nodes().stream().filter(NodeProcess::alive).count();
        if (running <= cluster.nodes().size() / 2) {
            System.out.println("note:    " + running + " of " + cluster.nodes().size() + " nodes run: it follows a "
                    + "leader once a majority runs (bin/dledger cluster up" + ClusterCommand.dirFlag(dir.resolve())
                    + " starts the others)");
        }
        System.out.println("status:  " + ClusterCommand.statusCommand(cluster) + " (shows when it follows the leader)");
        return 0;
    }
}
