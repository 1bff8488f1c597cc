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
    /** How long no child may be alive before the hook ends: covers a start already under way. */
    private static final long SETTLE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    private final Thread hook;
    private volatile boolean stopping;

    public StopOnExit(Path dir, Duration grace, boolean deleteDir) {
        this.hook = new Thread(() -> {
            stopping = true;
            stopChildren(grace);
            if (!deleteDir) {
                System.err.println("the cluster's data and node logs stay in " + dir);
                return;
            }
            try {
                FileTree.deleteRecursively(dir);
            } catch (IOException | RuntimeException e) {
                System.err.println("could not remove " + dir + ": " + e.getMessage());
            }
        }, "stop-local-cluster");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Fails when this JVM is ending (Ctrl-C, SIGTERM): a node started now could outlive it, since the shutdown hooks
     * that stop nodes may already have looked for them.
     */
    public static void requireNotEnding(String whatWouldStart) {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe); // the JDK refuses this once shutdown began
            Runtime.getRuntime().removeShutdownHook(probe);
        } catch (IllegalStateException ending) {
            throw new IllegalStateException("not starting " + whatWouldStart + ": this process is ending");
        }
    }

    /** Whether the hook is stopping the nodes: the JVM is ending, so nodes that exit now are no failure. */
    public boolean stopping() {
        return stopping;
    }

    /**
     * SIGTERM to every child until none has been alive for {@link #SETTLE_NANOS}: the command's other threads run on
     * while the hook does, and one may be starting a node right now (a start that sees the JVM ending refuses, see
     * {@link #requireNotEnding}, but one already past that check still spawns).
     */
    private static void stopChildren(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        long quietSince = System.nanoTime();
        boolean told = false;
        while (System.nanoTime() < deadline) {
            List<ProcessHandle> alive = children();
            if (!alive.isEmpty()) {
                if (!told) {
                    System.err.println("stopping the node processes this command started");
                    told = true;
                }
                alive.forEach(ProcessHandle::destroy);
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= SETTLE_NANOS) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                break;
            }
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
