package io.dledger.broker;

import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.raft.RaftNode;
import io.dledger.broker.server.GrpcFrontEnd;
import io.dledger.broker.statemachine.BrokerStateMachine;
import io.dledger.broker.statemachine.CommandProposer;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.StoreConfig;
import io.micrometer.core.instrument.MeterRegistry;
import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker node, wired: message store, state machine, Raft node, write proposer and the gRPC front
 * end. {@link #close()} stops them in reverse order. Several instances can run in one JVM (tests) as
 * long as their ports and directories differ.
 */
public final class BrokerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerServer.class);

    private final NodeConfig config;
    private final MessageStore store;
    private final ExecutorService snapshotExecutor;
    private final BrokerStateMachine fsm;
    private final RaftNode raft;
    private final GrpcFrontEnd frontEnd;

    private BrokerServer(NodeConfig config, MessageStore store, ExecutorService snapshotExecutor,
                         BrokerStateMachine fsm, RaftNode raft, GrpcFrontEnd frontEnd) {
        this.config = config;
        this.store = store;
        this.snapshotExecutor = snapshotExecutor;
        this.fsm = fsm;
        this.raft = raft;
        this.frontEnd = frontEnd;
    }

    public static BrokerServer start(NodeConfig config, MeterRegistry registry) {
        checkFileLimit(config);
        MessageStore store = MessageStore.open(StoreConfig.builder(config.storeDir())
                .segmentBytes(config.segmentBytes()).indexEntriesPerFile(config.indexEntriesPerFile()).build());
        ExecutorService snapshots = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "snapshot-save");
            t.setDaemon(true);
            return t;
        });
        BrokerStateMachine fsm = new BrokerStateMachine(store, snapshots);
        CommandProposer proposer = new CommandProposer(fsm, System::currentTimeMillis, config.entryMaxBytes(),
                config.maxInflightEntries(), config.writeQueueMaxBytes());
        RaftNode raft = null;
        try {
            raft = RaftNode.start(config, fsm);
            proposer.attach(raft.node());
            registerGauges(registry, store, raft, proposer);
            GrpcFrontEnd frontEnd = GrpcFrontEnd.start(config, store, fsm, raft, proposer);
            LOG.info("node {} serving gRPC on {}:{}, data in {}", config.nodeId(), config.grpcBindHost(),
                    config.self().grpcPort(), config.dataDir());
            return new BrokerServer(config, store, snapshots, fsm, raft, frontEnd);
        } catch (RuntimeException e) {
            if (raft != null) {
                raft.close();
            }
            snapshots.shutdownNow();
            store.close();
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

    private static void registerGauges(MeterRegistry registry, MessageStore store, RaftNode raft,
                                       CommandProposer proposer) {
        registry.gauge("dledger.raft.applied.index", raft, RaftNode::appliedIndex);
        registry.gauge("dledger.raft.commit.index", raft, RaftNode::commitIndex);
        registry.gauge("dledger.store.log.end.position", store, MessageStore::logEndPosition);
        registry.gauge("dledger.write.queued", proposer, CommandProposer::queued);
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

    @Override
    public void close() {
        LOG.info("node {} stopping", config.nodeId());
        frontEnd.close();
        raft.close();
        snapshotExecutor.shutdown();
        try {
            snapshotExecutor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
        LOG.info("node {} stopped", config.nodeId());
    }
}
