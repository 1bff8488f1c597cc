package io.dledger.broker.local;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Spawns the JVM of one {@link LocalCluster} node: this JVM's {@code java} and classpath with
 * {@link LocalCluster#NODE_JVM_FLAGS}, then the flags in {@link LocalCluster#NODE_JAVA_OPTS_ENV} (split on
 * spaces), then {@code DLedgerCli <node command...> --set=key=value...}. The process inherits this process's
 * environment, plus {@link LocalCluster#SR_SIGNAL_ENV}={@link LocalCluster#SR_SIGNAL} unless that is set; it reads
 * nothing, and its output and errors are appended to the node's log file.
 *
 * <p>Thread-safety: immutable; safe to use from any thread.
 */
final class NodeLauncher {
    private final List<String> nodeCommand; // the dledger command a node runs, before its --set settings

    /** {@code nodeCommand}: the dledger command the nodes run, {@code node} or a benchmark's own. */
    NodeLauncher(List<String> nodeCommand) {
        this.nodeCommand = List.copyOf(nodeCommand);
    }

    /**
     * Starts node {@code n} with {@code settings} (all of them, its placement included), creating its data
     * directory first; returns the running process.
     */
    Process launch(NodeProcess n, Map<String, String> settings) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(LocalCluster.NODE_JVM_FLAGS);
        String extra = System.getenv(LocalCluster.NODE_JAVA_OPTS_ENV);
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.dledger.broker.cli.DLedgerCli");
        cmd.addAll(nodeCommand);
        settings.forEach((k, v) -> cmd.add("--set=" + k + "=" + v));
        Files.createDirectories(n.dataDir());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putIfAbsent(LocalCluster.SR_SIGNAL_ENV, LocalCluster.SR_SIGNAL);
        return pb.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(n.logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
    }
}
