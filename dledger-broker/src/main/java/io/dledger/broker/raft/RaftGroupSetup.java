package io.dledger.broker.raft;

import com.alipay.sofa.jraft.JRaftUtils;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.StateMachine;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.rpc.RaftRpcServerFactory;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.raft.log.AppendObserver;
import io.dledger.broker.raft.log.LogStorageFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node runs its member of the Raft group, from its {@link NodeConfig}: JRaft's options (timers, snapshots,
 * RPC sizes), the Raft log {@link LogStorageFactory} chooses, and the RPC server and client ({@code raft.rpc.inline},
 * {@code raft.tls}: {@link RaftTransportTls}). The broker ({@link RaftNode}) and the Raft-layer benchmark
 * ({@code dledger bench raft}) both start their members here, so the benchmark measures the broker's own Raft
 * configuration.
 *
 * <p>Stateless; thread-safe.
 */
public final class RaftGroupSetup {
    private static final Logger LOG = LoggerFactory.getLogger(RaftGroupSetup.class);

    static {
        // Bolt's logging library cannot configure logback 1.5 and prints a stack trace at every start;
        // skipping that attempt makes it log through SLF4J (our logback) directly.
        if (System.getProperty("logback.middleware.log.disable") == null) {
            System.setProperty("logback.middleware.log.disable", "true");
        }
    }

    /** A started member: JRaft's group service (which owns the RPC server) and its node. */
    public record Started(RaftGroupService service, Node node) {
    }

    private RaftGroupSetup() {
    }

    /**
     * Fails when {@code port} is taken, before JRaft loads the node: JRaft binds the port only after it, by which time
     * a node alone in its group has elected itself and recorded the term. (A port in TIME_WAIT is free here.) A check,
     * not a reservation: a process that takes the port between it and JRaft's bind still fails the start later.
     */
    static void requirePortFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the Raft endpoint: port " + port + " is in use ("
                    + e.getMessage() + ")", e);
        }
    }

    /** JRaft's options for this node's settings. */
    static RaftOptions raftOptions(NodeConfig config) {
        RaftOptions raft = new RaftOptions();
        raft.setSync(config.raftSync());
        // the term and vote are synced even with raft.sync=false (JRaft ties them to it otherwise): a node that lost a
        // vote in a power loss could vote twice in one term and let two leaders commit different entries; they
        // change only at elections, so this costs nothing on the write path
        raft.setSyncMeta(true);
        raft.setMaxElectionDelayMs(config.electionMaxDelayMs());
        raft.setMaxByteCountPerRpc(1024 * 1024);
        raft.setMaxBodySize(4 * 1024 * 1024);
        return raft;
    }

    /**
     * Starts this node's member with state machine {@code fsm}, its Raft port speaking TLS with {@code raftTlsContext}
     * ({@code NodeCredentials.raft()}; plaintext when null); {@code initialPeers} is the group it starts in
     * (ignored when the node joins: it waits for the leader to add it), {@code logAppends} hears of every append to
     * the Raft log. Throws {@link IllegalStateException} saying why when the node cannot load or bind its port.
     */
    public static Started start(NodeConfig config, SSLContext raftTlsContext, List<PeerSpec> initialPeers,
                                StateMachine fsm, AppendObserver logAppends) {
        requirePortFree(config.self().raftPort());
        RaftTransportTls tls = raftTlsContext == null ? null : RaftTransportTls.forTransport(raftTlsContext,
                RpcFactoryHelper.rpcFactory());
        NodeOptions opts = tls == null ? new NodeOptions() : new TlsNodeOptions(tls); // the clients' TLS
        opts.setFsm(fsm);
        opts.setElectionTimeoutMs(config.electionTimeoutMs());
        opts.setEnableMetrics(true);
        // JRaft's own timers tick a hashed wheel every millisecond (four threads waking 1,000 times a second each,
        // a few per cent of a core on a busy node); the shared ones are scheduled executors that wake only when due
        opts.setSharedElectionTimer(true);
        opts.setSharedVoteTimer(true);
        opts.setSharedStepDownTimer(true);
        opts.setSharedSnapshotTimer(true);
        opts.setSnapshotIntervalSecs(config.snapshotIntervalSecs());
        Configuration conf = new Configuration();
        if (!config.join()) { // a joining node waits for the leader to add it
            for (PeerSpec p : initialPeers) {
                conf.addPeer(RaftNode.peerId(p));
            }
        }
        opts.setInitialConf(conf);
        try {
            Files.createDirectories(config.raftDir());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + config.raftDir(), e);
        }
        opts.setLogUri(config.raftDir().resolve("log").toString());
        opts.setRaftMetaUri(config.raftDir().resolve("meta").toString());
        opts.setSnapshotUri(config.raftDir().resolve("snapshot").toString());
        opts.setRaftOptions(raftOptions(config));
        opts.setServiceFactory(new LogStorageFactory(config.raftLogFormat(), config.raftLogSegmentBytes(),
                logAppends));

        PeerId self = RaftNode.peerId(config.self());
        RpcServer server;
        if (config.raftRpcInline()) {
            server = IoThreadReplication.rpcServer(self.getEndpoint(), opts, tls);
        } else {
            server = RaftRpcServerFactory.createRaftRpcServer(self.getEndpoint(),
                    JRaftUtils.createExecutor("RAFT-RPC-executor-", opts.getRaftRpcThreadPoolSize()),
                    JRaftUtils.createExecutor("CLI-RPC-executor-", opts.getCliRpcThreadPoolSize()));
            if (tls != null) {
                tls.secure(server);
            }
        }
        RaftGroupService service = new RaftGroupService(RaftNode.GROUP_ID, self, opts, server);
        Node node;
        try {
            node = service.start();
        } catch (RuntimeException e) {
            boolean nodeInitialised = service.getRaftNode() != null; // JRaft loads the node, then binds the port
            service.shutdown();
            throw new IllegalStateException(nodeInitialised
                    ? "cannot start the Raft endpoint " + self + " (is port " + self.getPort() + " in use?): "
                            + e.getMessage()
                    : "cannot load the Raft node " + self + " from " + config.raftDir() + " (its log, metadata or "
                            + "snapshot; the ERROR lines above say which and why): " + e.getMessage(), e);
        }
        LOG.info("Raft node {} started at {} {}, election timeout {} ms, Raft port {}", config.nodeId(), self,
                config.join() ? "to join (waiting for the leader to add it)" : "with peers " + conf,
                config.electionTimeoutMs(), tls == null ? "plaintext (raft.tls=false)" : "mutual TLS");
        return new Started(service, node);
    }
}
