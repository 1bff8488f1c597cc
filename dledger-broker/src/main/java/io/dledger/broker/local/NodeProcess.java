package io.dledger.broker.local;

import io.dledger.broker.config.PeerSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * One node of a {@link LocalCluster}: its peer entry, data directory and log file, and the operating
 * system process running it (identified by pid and start time, so a recycled pid is never mistaken for
 * ours).
 */
public record NodeProcess(PeerSpec peer, int httpPort, boolean joins, Path dataDir, Path logFile, long pid,
                          Instant startedAt) {

    public String id() {
        return peer.id();
    }

    public String grpcAddress() {
        return peer.grpcAddress();
    }

    public String metricsUrl() {
        return "http://" + peer.host() + ":" + httpPort + "/metrics";
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
}
