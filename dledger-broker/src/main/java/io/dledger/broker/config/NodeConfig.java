package io.dledger.broker.config;

import io.dledger.broker.readroute.ReadRouteConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Validated, immutable settings of one broker node. Built by {@link NodeConfigLoader}; see
 * {@link ConfigKey} for the meaning and defaults of each value.
 */
public record NodeConfig(
        String nodeId,
        List<PeerSpec> peers,
        Path dataDir,
        String grpcBindHost,
        boolean join,
        int httpPort,
        String httpBindHost,
        boolean httpTls,
        boolean httpAuth,
        int shutdownTransferMs,
        long retentionMs,
        long retentionBytes,
        long retentionCheckMs,
        int electionTimeoutMs,
        int electionMaxDelayMs,
        int electionLeaderExitMs,
        boolean raftSync,
        boolean raftRpcInline,
        RaftLogFormat raftLogFormat,
        long raftLogSegmentBytes,
        int snapshotIntervalSecs,
        long snapshotLogBytes,
        long segmentBytes,
        int indexEntriesPerFile,
        int messageMaxBytes,
        int batchMaxBytes,
        int batchMaxMessages,
        int entryMaxBytes,
        int maxInflightEntries,
        long writeQueueMaxBytes,
        int maxTotalQueues,
        int maxCommittedOffsets,
        long storeMinFreeBytes,
        ReadRouteConfig readRoute,
        int pullMaxMessages,
        int pullMaxBytes,
        int pullMaxWaiting,
        int readMaxQueued,
        int metricsGroupLagMax,
        GrpcTls grpcTls,
        Path raftTlsCa,
        Path authTokensFile) {

    public NodeConfig {
        peers = List.copyOf(peers);
    }

    /** The gRPC front end's TLS files (with {@code raft.tls}, the Raft port's identity too), or {@code null}. */
    public GrpcTls grpcTls() {
        return grpcTls;
    }

    /**
     * Whether the Raft port speaks mutual TLS ({@code raft.tls}): with {@link #grpcTls()}'s certificate and key, peers
     * admitted by {@link #raftTlsCa()}.
     */
    public boolean raftTls() {
        return raftTlsCa != null;
    }

    /** The certificates that admit a Raft peer ({@code raft.tls.ca}), or {@code null}: no {@code raft.tls}. */
    public Path raftTlsCa() {
        return raftTlsCa;
    }

    /** The file of the tokens the gRPC front end accepts, or {@code null}: any call is served. */
    public Path authTokensFile() {
        return authTokensFile;
    }

    /** This node's entry in the peer list. */
    public PeerSpec self() {
        return peers.stream().filter(p -> p.id().equals(nodeId)).findFirst().orElseThrow();
    }

    /**
     * Where this node's /metrics answers, at its host in {@code peers} (whatever http.bind.host says); https with
     * {@code http.tls}.
     */
    public String metricsUrl() {
        return (httpTls ? "https://" : "http://") + self().host() + ":" + httpPort + "/metrics";
    }

    public Path raftDir() {
        return dataDir.resolve("raft");
    }

    public Path storeDir() {
        return dataDir.resolve("store");
    }
}
