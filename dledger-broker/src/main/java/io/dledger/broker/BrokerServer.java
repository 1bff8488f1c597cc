package io.dledger.broker;

import io.dledger.broker.concurrent.DaemonThreadFactory;
import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.security.NodeCredentials;
import io.dledger.broker.metrics.BrokerMetrics;
import io.dledger.broker.metrics.WritePathTimers;
import io.dledger.broker.metrics.HttpEndpoint;
import io.dledger.broker.raft.PeerDirectory;
import io.dledger.broker.raft.RaftNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import io.dledger.broker.server.GrpcFrontEnd;
import io.dledger.broker.server.HandoverTarget;
import io.dledger.broker.statemachine.BrokerStateMachine;
import io.dledger.broker.statemachine.CommandProposer;
import io.dledger.broker.statemachine.RetentionScheduler;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.StoreConfig;
import io.micrometer.core.instrument.MeterRegistry;
import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker node, wired: message store, state machine, Raft node, write proposer and the gRPC front
 * end. {@link #close()} stops them in reverse order. Several instances can run in one JVM (tests) as
 * long as their ports and directories differ.
 */
public final class BrokerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerServer.class);
    /** A node this many committed entries behind is not ready. */
    static final long READY_MAX_BEHIND = 1000;

    private final NodeConfig config;
    private final NodeCredentials credentials;
    private final MessageStore store;
    private final ExecutorService snapshotExecutor;
    private final BrokerStateMachine fsm;
    private final RaftNode raft;
    private final GrpcFrontEnd frontEnd;
    private final HttpEndpoint http;
    private final RetentionScheduler retention;

    private BrokerServer(NodeConfig config, NodeCredentials credentials, MessageStore store,
                         ExecutorService snapshotExecutor,
                         BrokerStateMachine fsm, RaftNode raft, GrpcFrontEnd frontEnd, HttpEndpoint http,
                         RetentionScheduler retention) {
        this.http = http;
        this.retention = retention;
        this.config = config;
        this.credentials = credentials;
        this.store = store;
        this.snapshotExecutor = snapshotExecutor;
        this.fsm = fsm;
        this.raft = raft;
        this.frontEnd = frontEnd;
    }

    /** The message store's settings from the node's; what reads consider cold is read with positional reads. */
    static StoreConfig storeConfig(NodeConfig config) {
        return StoreConfig.builder(config.storeDir()).segmentBytes(config.segmentBytes())
                .indexEntriesPerFile(config.indexEntriesPerFile()).mappedReadBytes(config.readRoute().coldBytes())
                .build();
    }

    public static BrokerServer start(NodeConfig config, MeterRegistry registry) {
        checkFileLimit(config);
        NodeCredentials credentials = NodeCredentials.load(config);
        MessageStore store = MessageStore.open(storeConfig(config));
        ExecutorService snapshots = Executors.newSingleThreadExecutor(new DaemonThreadFactory("snapshot-save"));
        BrokerStateMachine fsm = new BrokerStateMachine(store, snapshots);
        WritePathTimers writeTimers = new WritePathTimers(registry);
        CommandProposer proposer = new CommandProposer(fsm, System::currentTimeMillis, config.entryMaxBytes(),
                config.maxInflightEntries(), config.writeQueueMaxBytes(), writeTimers);
        RaftNode raft = null;
        GrpcFrontEnd frontEnd = null;
        HttpEndpoint http = null;
        RetentionScheduler retention = null;
        try {
            raft = RaftNode.start(config, credentials.raft(), new PeerDirectory(config, store), fsm, writeTimers);
            proposer.attach(raft.node());
            BrokerMetrics metrics = new BrokerMetrics(registry);
            metrics.bind(raft, fsm, store, proposer);
            frontEnd = GrpcFrontEnd.start(config, credentials, store, fsm, raft, proposer, metrics);
            retention = new RetentionScheduler(store, fsm, proposer, config.retentionMs(), config.retentionBytes(),
                    config.retentionCheckMs(), System::currentTimeMillis);
            RaftNode r = raft;
            GrpcFrontEnd front = frontEnd;
            HttpEndpoint.Metrics scrapes = registry instanceof PrometheusMeterRegistry p
                    ? new HttpEndpoint.Metrics(p, () -> {
                        metrics.syncFollowerGauges();
                        front.refreshGroupGauges();
                    }, config.httpAuth() ? credentials::admitsToMetrics : null) : null;
            http = HttpEndpoint.start(config.httpBindHost(), config.httpPort(),
                    config.httpTls() ? credentials.http() : null, scrapes, () -> notReady(fsm, store, r));
            LOG.info("node {} serving gRPC on {}:{} and {} (/metrics{}, /health) on {}:{}, data in {}",
                    config.nodeId(), config.grpcBindHost(), config.self().grpcPort(),
                    config.httpTls() ? "HTTPS" : "HTTP", config.httpAuth() ? " with a token" : "",
                    config.httpBindHost(), config.httpPort(), config.dataDir());
            if (config.httpAuth() && !config.httpTls()) {
                LOG.warn("{} is set without {}: the tokens sent to /metrics cross the network readable",
                        ConfigKey.HTTP_AUTH.key(), ConfigKey.HTTP_TLS.key());
            }
            credentials.start(NodeCredentials.CHECK_INTERVAL);
            return new BrokerServer(config, credentials, store, snapshots, fsm, raft, frontEnd, http, retention);
        } catch (RuntimeException e) {
            if (retention != null) {
                retention.close();
            }
            if (frontEnd != null) {
                frontEnd.close();
            }
            if (raft != null) {
                raft.close();
            }
            snapshots.shutdownNow();
            store.close();
            credentials.close();
            throw e;
        }
    }

    /** Every queue keeps index files open: warn when the process may run out of file descriptors. */
    private static void checkFileLimit(NodeConfig config) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os) {
            long limit = os.getMaxFileDescriptorCount();
            long needed = 2L * config.maxTotalQueues() + 1024;
            if (limit < needed) {
                LOG.warn("open file limit is {}, below the {} that {} queues may need; raise it (ulimit -n) or "
                        + "lower topics.max.queues", limit, needed, config.maxTotalQueues());
            }
        }
    }

    /** Why this node is not ready to serve, or empty: part of a cluster with a known leader, caught up. */
    static Optional<String> notReady(BrokerStateMachine fsm, MessageStore store, RaftNode raft) {
        if (fsm.error() != null) {
            return Optional.of(fsm.error());
        }
        if (store.failure() != null) {
            return Optional.of(store.failure());
        }
        try {
            if (raft.leader().isEmpty()) {
                return Optional.of("no leader known");
            }
            long behind = raft.commitIndex() - raft.appliedIndex();
            return behind > READY_MAX_BEHIND ? Optional.of(behind + " committed entries not applied yet")
                    : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of("Raft node not serving: " + e.getMessage());
        }
    }

    private void handOverLeadership() {
        if (!fsm.isLeader() || config.shutdownTransferMs() == 0) {
            return;
        }
        Optional<String> best = HandoverTarget.choose(raft.followerLags(), frontEnd.followersWithSpace());
        if (best.isEmpty()) {
            LOG.info("no follower to hand leadership to; stopping as leader");
            return;
        }
        String target = best.get();
        CompletableFuture<?> moved = fsm.nextFollowing();
        if (!raft.transferLeadership(target)) {
            return;
        }
        try {
            moved.get(config.shutdownTransferMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException e) {
            // logged below
        }
        LOG.info(fsm.isLeader() ? "leadership transfer to {} did not finish in time" : "handed leadership to {}",
                target);
    }

    public NodeConfig config() {
        return config;
    }

    public BrokerStateMachine stateMachine() {
        return fsm;
    }

    public RaftNode raft() {
        return raft;
    }

    /**
     * Stops the node. A leader first hands leadership to a follower ({@link HandoverTarget}: one with disk
     * space, the least behind) and waits (up to
     * {@code shutdown.transfer.ms}) until it has taken over, so clients move on without a failed send;
     * requests in flight are answered before the gRPC server closes.
     */
    @Override
    public void close() {
        LOG.info("node {} stopping", config.nodeId());
        handOverLeadership();
        retention.close();
        http.close();
        frontEnd.close();
        raft.close();
        snapshotExecutor.shutdown();
        try {
            snapshotExecutor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
        credentials.close();
        LOG.info("node {} stopped", config.nodeId());
    }
}
