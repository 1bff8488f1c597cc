package io.dledger.broker.local;

import io.dledger.broker.store.FileTree;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Stops the node processes of the local cluster in {@code dir} when this JVM is told to end (Ctrl-C, SIGTERM) before
 * the command that started them stopped them itself: a JVM shutdown hook, removed by {@link #close} once the command
 * is past that point. Without it an interrupted {@code dledger demo} or {@code bench --local} leaves its node JVMs
 * running. The hook reads the cluster from its file (saved at every node start), so it sees the nodes as they are,
 * restarted ones included; with {@code deleteDir} it also removes the directory after the nodes stopped.
 *
 * <p>Thread-safety: create and close on one thread; the hook runs on its own.
 */
public final class StopOnExit implements AutoCloseable {
    private final Thread hook;

    public StopOnExit(Path dir, Duration grace, boolean deleteDir) {
        this.hook = new Thread(() -> stop(dir, grace, deleteDir), "stop-local-cluster");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private static void stop(Path dir, Duration grace, boolean deleteDir) {
        if (LocalCluster.exists(dir)) {
            System.err.println("stopping the local cluster in " + dir);
            LocalCluster.load(dir).stopAll(grace);
        }
        if (deleteDir) {
            try {
                FileTree.deleteRecursively(dir);
            } catch (IOException e) {
                System.err.println("could not remove " + dir + ": " + e.getMessage());
            }
        }
    }

    /** The command stops the cluster itself from here on: the hook is not needed any more. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) { // the JVM is already shutting down: the hook runs
        }
    }
}
