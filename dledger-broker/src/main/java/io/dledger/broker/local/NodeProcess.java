package io.dledger.broker.local;

import io.dledger.broker.config.PeerSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One node of a {@link LocalCluster}: its peer entry, data directory and log file, and the operating
 * system process running it (identified by pid and start time, so a recycled pid is never mistaken for
 * ours). Immutable; {@link #kill()} and {@link #stop} signal the process and may be called from any thread.
 */
public record NodeProcess(PeerSpec peer, int httpPort, boolean joins, Path dataDir, Path logFile, long pid,
                          Instant startedAt) {

    public String id() {
        return peer.id();
    }

    public String grpcAddress() {
        return peer.grpcAddress();
    }

    /** The live process this record describes, if it still runs. */
    public Optional<ProcessHandle> handle() {
        if (pid <= 0) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> h.info().startInstant()
                .map(s -> startedAt == null || Math.abs(s.toEpochMilli() - startedAt.toEpochMilli()) < 2000)
                .orElse(true));
    }

    public boolean alive() {
        return handle().isPresent();
    }

    NodeProcess withProcess(long newPid, Instant newStart) {
        return new NodeProcess(peer, httpPort, joins, dataDir, logFile, newPid, newStart);
    }

    /** {@code kill -9} of the process, if it runs; returns once it is gone (at most 10 s). */
    public void kill() {
        handle().ifPresent(h -> {
            h.destroyForcibly();
            waitForExit(h, Duration.ofSeconds(10));
        });
    }

    /** SIGTERM, then SIGKILL if the process has not stopped within {@code grace}. */
    public void stop(Duration grace) {
        handle().ifPresent(h -> {
            h.destroy();
            if (!waitForExit(h, grace)) {
                h.destroyForcibly();
                waitForExit(h, Duration.ofSeconds(10));
            }
        });
    }

    /**
     * Waits until {@code h} has exited, at most {@code timeout}; whether it has. Polls {@code isAlive} every 10 ms: for
     * a process that is not this JVM's child (a node started by an earlier command), {@code onExit} notices an exit
     * only after the JDK's own polling, which took 1.8 s after a SIGKILL here.
     */
    private static boolean waitForExit(ProcessHandle h, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (h.isAlive()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !h.isAlive();
            }
        }
        return true;
    }
}
