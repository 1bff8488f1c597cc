package io.dledger.broker.local;

import io.dledger.broker.store.FileTree;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Stops the node processes a command started when this JVM is told to end (Ctrl-C, SIGTERM) before the command
 * stopped them itself: a JVM shutdown hook, removed by {@link #close} once the command is past that point. Without it
 * an interrupted {@code dledger demo} or {@code bench --local} leaves its node JVMs running.
 *
 * <p>The hook stops every child process of this JVM (the commands that use it start nothing else), not the nodes the
 * cluster file lists: a node whose process started but which is not saved yet is stopped too, and so is one started
 * while the hook runs. SIGTERM first, SIGKILL for those still alive after {@code grace}. With {@code deleteDir} it
 * then removes the cluster's directory.
 *
 * <p>Thread-safety: create and close on one thread; the hook runs on its own; {@link #stopping} on any.
 */
public final class StopOnExit implements AutoCloseable {
    private final Thread hook;
    private volatile boolean stopping;

    public StopOnExit(Path dir, Duration grace, boolean deleteDir) {
        this.hook = new Thread(() -> {
            stopping = true;
            stopChildren(grace);
            if (deleteDir) {
                try {
                    FileTree.deleteRecursively(dir);
                } catch (IOException | RuntimeException e) {
                    System.err.println("could not remove " + dir + ": " + e.getMessage());
                }
            }
        }, "stop-local-cluster");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Whether the hook is stopping the nodes: the JVM is ending, so nodes that exit now are no failure. */
    public boolean stopping() {
        return stopping;
    }

    private static void stopChildren(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        List<ProcessHandle> alive = children();
        if (!alive.isEmpty()) {
            System.err.println("stopping the " + alive.size() + " node processes this command started");
        }
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            alive.forEach(ProcessHandle::destroy);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                break;
            }
            alive = children();
        }
        children().forEach(ProcessHandle::destroyForcibly);
    }

    private static List<ProcessHandle> children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
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
