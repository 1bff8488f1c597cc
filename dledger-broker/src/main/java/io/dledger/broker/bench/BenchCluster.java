package io.dledger.broker.bench;

import io.dledger.broker.config.ConfigException;
import io.dledger.broker.local.LocalCluster;
import io.dledger.broker.local.StopOnExit;
import io.dledger.broker.store.FileTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A benchmark's own local cluster of three nodes ({@code --local}, {@code bench raft}): laid out in a kept
 * {@code --local-dir} or a temporary directory, checked before anything starts (the nodes must accept the
 * {@code --set} settings; a directory on tmpfs gets a warning, its fsyncs cost nothing), stopped on Ctrl-C
 * ({@link StopOnExit}) and by {@link #close}, which also removes a temporary directory. The caller starts the nodes.
 *
 * <p>Not thread-safe: one command uses it.
 */
final class BenchCluster implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Path dir;
    private final boolean temporary;
    private final LocalCluster cluster;
    private final StopOnExit onExit;

    private BenchCluster(Path dir, boolean temporary, LocalCluster cluster) {
        this.dir = dir;
        this.temporary = temporary;
        this.cluster = cluster;
        this.onExit = new StopOnExit(dir, STOP_GRACE, temporary);
    }

    /**
     * Lays the cluster out in {@code localDir}, or in a new temporary directory named after {@code tempPrefix} when it
     * is null; its nodes run {@code nodeCommand} ({@code dledger node} when null). Empty, having said why on stderr,
     * when the nodes would refuse the settings; a temporary directory is removed then and when laying out fails.
     */
    static Optional<BenchCluster> create(Path localDir, String tempPrefix, Map<String, String> settings,
                                         List<String> nodeCommand) throws IOException {
        Path dir = localDir != null ? localDir.toAbsolutePath() : Files.createTempDirectory(tempPrefix);
        LocalCluster cluster;
        try {
            cluster = LocalCluster.create(dir, 3, 0, settings);
            if (nodeCommand != null) {
                cluster = cluster.withNodeCommand(nodeCommand);
            }
            cluster.checkSettings();
        } catch (ConfigException e) {
            System.err.println("error: " + e.getMessage());
            removeIfTemporary(dir, localDir);
            return Optional.empty();
        } catch (RuntimeException e) {
            try {
                removeIfTemporary(dir, localDir);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        warnIfInMemory(dir);
        return Optional.of(new BenchCluster(dir, localDir == null, cluster));
    }

    private static void removeIfTemporary(Path dir, Path localDir) throws IOException {
        if (localDir == null) {
            FileTree.deleteRecursively(dir);
        }
    }

    private static void warnIfInMemory(Path dir) {
        try {
            if (Files.getFileStore(dir).type().equals("tmpfs")) {
                System.out.println("# WARNING: " + dir + " is on tmpfs (memory): the nodes' fsyncs cost nothing "
                        + "there; give --local-dir on a disk for figures that mean something");
            }
        } catch (IOException e) {
            // unknown file system: nothing to warn about
        }
    }

    Path dir() {
        return dir;
    }

    LocalCluster cluster() {
        return cluster;
    }

    /** Whether this JVM is ending and stopping the nodes (Ctrl-C): nodes that exit now are no failure. */
    boolean stopping() {
        return onExit.stopping();
    }

    /** Stops the nodes; removes a temporary directory. */
    @Override
    public void close() throws IOException {
        onExit.close();
        cluster.stopAll(STOP_GRACE);
        if (temporary) {
            FileTree.deleteRecursively(dir);
        }
    }
}
