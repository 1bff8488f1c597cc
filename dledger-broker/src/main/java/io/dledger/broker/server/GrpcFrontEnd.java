package io.dledger.broker.server;

import io.dledger.broker.concurrent.DaemonThreadFactory;
import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.group.GroupCoordinator;
import io.dledger.broker.metrics.BrokerMetrics;
import io.dledger.broker.metrics.RpcMetricsInterceptor;
import io.dledger.broker.raft.RaftNode;
import io.dledger.broker.readroute.LeaderCommitProbe;
import io.dledger.broker.readroute.LoadMeter;
import io.dledger.broker.readroute.ReadRouter;
import io.dledger.broker.security.NodeCredentials;
import io.dledger.broker.statemachine.BrokerStateMachine;
import io.dledger.broker.statemachine.CommandProposer;
import io.dledger.broker.store.MessageStore;
import io.grpc.Server;
import io.micrometer.core.instrument.Gauge;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's gRPC server with its services (messaging, admin, consumer groups) and what they share:
 * the read executor (pulls and digests never run on gRPC's I/O threads), the long-polling waiters, the
 * load meters, the read router, the channels to the peers, and the leader's once-a-second poll of its followers'
 * disks. Started once and closed once, from the node's lifecycle thread.
 */
public final class GrpcFrontEnd implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcFrontEnd.class);
    /** A follower serving pulls asks the leader's commit index this often (see {@link LeaderCommitProbe}). */
    private static final long PROBE_INTERVAL_MS = 500;
    private static final long PROBE_SLOW_AFTER_MS = 1000;
    private static final long PROBE_WANTED_FOR_MS = 60_000;
    /** Consumer group members are dropped after this long without a heartbeat. */
    private static final int SESSION_MS = 4000;
    private final Server server;
    private final ReadExecutor reads;
    private final ScheduledExecutorService timer;
    private final PeerStatusCollector peers;
    private final ScheduledFuture<?> diskPolls;
    private final FollowerDisks followerDisks;
    private final GroupLagGauges groupGauges;

    private GrpcFrontEnd(Server server, ReadExecutor reads, ScheduledExecutorService timer,
            PeerStatusCollector peers, ScheduledFuture<?> diskPolls, FollowerDisks followerDisks,
            GroupLagGauges groupGauges) {
        this.followerDisks = followerDisks;
        this.groupGauges = groupGauges;
        this.server = server;
        this.reads = reads;
        this.timer = timer;
        this.peers = peers;
        this.diskPolls = diskPolls;
    }

    public static GrpcFrontEnd start(NodeConfig config, NodeCredentials credentials, MessageStore store,
                                     BrokerStateMachine fsm, RaftNode raft, CommandProposer proposer,
                                     BrokerMetrics metrics) {
        ReadExecutor reads = new ReadExecutor(config.nodeId(), Math.max(2, Runtime.getRuntime().availableProcessors()),
                config.readMaxQueued());
        Gauge.builder("dledger.read.queued", reads, ReadExecutor::queued)
                .description("reads waiting for a read thread (read.max.queued)").register(metrics.registry());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                new DaemonThreadFactory("dledger-pull-timer"));
        LoadMeter produced = new LoadMeter(System::nanoTime);
        LoadMeter pulls = new LoadMeter(System::nanoTime);
        PullWaiters waiters = new PullWaiters(timer, reads, config.pullMaxWaiting());
        store.setPublishListener(waiters);
        LeaderCommitProbe commitProbe = new LeaderCommitProbe(
                (onIndex, onFailure) -> raft.readIndex(onIndex, why -> onFailure.run()), raft::appliedIndex,
                () -> !fsm.isLeader() && raft.leader().isPresent(), System::nanoTime, timer, PROBE_INTERVAL_MS,
                PROBE_SLOW_AFTER_MS, PROBE_WANTED_FOR_MS);
        Gauge.builder("dledger.read.behind.leader", commitProbe, p -> Math.min(p.lastMeasured(), Integer.MAX_VALUE))
                .description("on a follower serving pulls: entries it was behind the leader's commit at its last check")
                .baseUnit("entries").register(metrics.registry());
        PullHandler pullHandler = new PullHandler(config, store, fsm, raft,
                new ReadRouter(config.readRoute(), produced, pulls), pulls, waiters, reads, commitProbe);
        GroupCoordinator groups = new GroupCoordinator(System::nanoTime, 1000, SESSION_MS,
                SESSION_MS + config.electionTimeoutMs());
        fsm.onLeadershipStart(groups::leadershipStarted);
        PeerStatusCollector peers = new PeerStatusCollector(config.nodeId(), credentials.grpcChannel(),
                credentials::tokens);
        FollowerDisks followerDisks = new FollowerDisks(fsm::isLeader, raft::votingFollowers, peers::ask,
                System::nanoTime);
        DiskSpaceGuard disk = DiskSpaceGuard.forDirectory(config.dataDir(), config.storeMinFreeBytes(), followerDisks);
        LowDiskHandover handover = new LowDiskHandover(fsm::isLeader, disk::belowMinimum,
                followerDisks::followersWithSpace, raft::followerLags, raft::transferLeadership, System::nanoTime);
        ScheduledFuture<?> diskPolls = timer.scheduleWithFixedDelay(() -> {
            try {
                followerDisks.poll();
                handover.run();
            } catch (Throwable t) { // an escaping throwable would cancel the polling for good
                LOG.error("the disk poll failed; it runs again in a second", t);
            }
        }, FollowerDisks.POLL_MILLIS, FollowerDisks.POLL_MILLIS, TimeUnit.MILLISECONDS);
        Gauge.builder("dledger.disk.usable", disk,
                d -> d.usableBytes() == Long.MAX_VALUE ? Double.NaN : d.usableBytes())
                .description("usable space of the file system holding the node's data (store.min.free.bytes)")
                .baseUnit("bytes").register(metrics.registry());
        ConsumerServiceImpl consumers = new ConsumerServiceImpl(store, fsm, raft, proposer, groups,
                config.maxCommittedOffsets());
        GroupLagGauges groupGauges = new GroupLagGauges(metrics.registry(), fsm::isLeader,
                max -> consumers.summaries("", max), config.metricsGroupLagMax());
        AdminServiceImpl admin = new AdminServiceImpl(config, store, fsm, raft, proposer, reads, disk, peers,
                followerDisks::followersWithSpace);
        NettyServerBuilder builder = NettyServerBuilder
                .forAddress(new InetSocketAddress(config.grpcBindHost(), config.self().grpcPort()),
                        credentials.grpcServer());
        if (config.authTokensFile() != null) { // added first, so it runs inside the metrics interceptor: refusals count
            builder.intercept(new TokenAuthInterceptor(credentials::tokens));
            if (config.grpcTls() == null) {
                LOG.warn("{} is set without grpc.tls.cert: tokens cross the network readable, from clients and "
                        + "between nodes", ConfigKey.GRPC_AUTH_TOKENS_FILE.key());
            }
        }
        Server server = builder
                // room above the batch limit so an oversized batch gets BATCH_TOO_LARGE, not a bare
                // RESOURCE_EXHAUSTED from gRPC
                .maxInboundMessageSize(2 * config.batchMaxBytes() + (1 << 20))
                .permitKeepAliveTime(20, TimeUnit.SECONDS)
                // handlers never block (writes are proposed asynchronously, reads and digests go to the
                // read executor), so they run on the I/O threads: one hand-off less per call
                .directExecutor()
                .intercept(new RpcMetricsInterceptor(metrics.registry()))
                .addService(new MessagingServiceImpl(config, store, fsm, raft, proposer, pullHandler,
                        new OffsetsForTimeHandler(store, fsm, raft, reads), produced, metrics, disk))
                .addService(admin)
                .addService(consumers)
                .build();
        try {
            server.start();
        } catch (IOException e) {
            diskPolls.cancel(false);
            peers.close();
            reads.close();
            timer.shutdownNow();
            throw new UncheckedIOException("cannot start the gRPC server on port " + config.self().grpcPort(), e);
        }
        return new GrpcFrontEnd(server, reads, timer, peers, diskPolls, followerDisks, groupGauges);
    }

    /** Brings the consumer group metrics up to date: called before every scrape (see {@link GroupLagGauges}). */
    public void refreshGroupGauges() {
        groupGauges.refresh();
    }

    /** On the leader: followers that answered its last round with disk space to spare (see {@link FollowerDisks}). */
    public List<String> followersWithSpace() {
        return followerDisks.followersWithSpace();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        diskPolls.cancel(false);
        peers.close();
        timer.shutdownNow();
        reads.close();
    }
}
