package io.dledger.broker.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.core.State;
import com.alipay.sofa.jraft.entity.PeerId;
import io.dledger.broker.concurrent.DaemonThreadFactory;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.raft.log.AppendObserver;
import io.dledger.broker.statemachine.BrokerStateMachine;
import io.dledger.broker.readroute.ReadSituation;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's member of the Raft group, started by {@link RaftGroupSetup} with the broker's state machine (JRaft's
 * options from the {@link NodeConfig}, its Bolt RPC server and the Raft log, segment files unless an existing log is
 * RocksDB): snapshots by log size, the leader-exit detector, and answers about roles and progress. Thread-safe.
 */
public final class RaftNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
    public static final String GROUP_ID = "dledger";

    private final NodeConfig config;
    private final PeerDirectory peers;
    private final BrokerStateMachine fsm;
    private final RaftGroupService service;
    private final Node node;
    private final LeaderExitDetector exitDetector; // null when election.leader.exit.timeout.ms is 0
    private final FollowerLags followerLags;
    private final ExecutorService snapshotAsker; // LogSizeSnapshotTrigger's

    private RaftNode(NodeConfig config, PeerDirectory peers, BrokerStateMachine fsm, RaftGroupService service,
                     Node node, ExecutorService snapshotAsker) {
        this.config = config;
        this.snapshotAsker = snapshotAsker;
        this.peers = peers;
        this.fsm = fsm;
        this.service = service;
        this.node = node;
        this.followerLags = new FollowerLags(node, peers::current, config.nodeId());
        fsm.onConfigurationCommitted(new RemovedPeerConnections(node));
        fsm.namePeersWith(id -> peerOf(id).map(p -> p.id() + " at " + id).orElse(id.toString()));
        if (config.electionLeaderExitMs() > 0) {
            LeaderExitDetector detector = new LeaderExitDetector(new JRaftElection(this),
                    LeaderExitDetector::connectRefused, config.electionTimeoutMs(), config.electionMaxDelayMs(),
                    config.electionLeaderExitMs(), 20);
            // the node already serves: an event may come before this constructor ends, so it uses the local
            service.getRpcServer().registerConnectionClosedEventListener((remote, conn) -> detector.connectionClosed());
            exitDetector = detector;
        } else {
            exitDetector = null;
        }
    }

    public static RaftNode start(NodeConfig config, SSLContext raftTlsContext, PeerDirectory peers,
                                 BrokerStateMachine fsm, AppendObserver logAppends) {
        ExecutorService snapshotAsker = Executors.newSingleThreadExecutor(
                new DaemonThreadFactory("dledger-snapshot-trigger"));
        LogSizeSnapshotTrigger trigger = new LogSizeSnapshotTrigger(config.snapshotLogBytes(), logAppends,
                snapshotAsker);
        RaftGroupSetup.Started started;
        try {
            started = RaftGroupSetup.start(config, raftTlsContext, peers.current(), fsm, trigger);
        } catch (RuntimeException e) {
            snapshotAsker.shutdownNow();
            throw e;
        }
        RaftGroupService service = started.service();
        Node node = started.node();
        RaftNode raftNode = new RaftNode(config, peers, fsm, service, node, snapshotAsker);
        trigger.start(raftNode::snapshot);
        return raftNode;
    }

    static PeerId peerId(PeerSpec p) {
        return new PeerId(p.host(), p.raftPort());
    }

    public Node node() {
        return node;
    }

    /**
     * Whether JRaft has this node as leader now: it turns false when the node steps down, before its state machine
     * hears of it (JRaft queues {@code onLeaderStop} behind the entries still to apply).
     */
    public boolean isLeader() {
        return node.isLeader(false);
    }

    /** The leader this node knows of, as configured (empty while unknown). */
    public Optional<PeerSpec> leader() {
        PeerId leader = node.getLeaderId();
        return leader == null || leader.isEmpty() ? Optional.empty() : peerOf(leader);
    }

    /** The member at JRaft's {@code id} (its Raft address), as configured; empty when no known peer has it. */
    public Optional<PeerSpec> peerOf(PeerId id) {
        return peers.byRaftEndpoint(id.getIp(), id.getPort());
    }

    public State state() {
        return ((NodeImpl) node).getNodeState();
    }

    public long term() {
        return fsm.knownTerm();
    }

    public long commitIndex() {
        return node.getLastCommittedIndex();
    }

    public long appliedIndex() {
        return node.getLastAppliedLogIndex();
    }

    public long lastLogIndex() {
        return node.getLastLogIndex();
    }

    /**
     * A Raft ReadIndex round (on any member): {@code onIndex} gets the leader's commit index once this node has
     * applied up to it; {@code onFailure} gets JRaft's reason when the round fails. Called on a JRaft thread.
     */
    public void readIndex(java.util.function.LongConsumer onIndex, java.util.function.Consumer<String> onFailure) {
        try {
            node.readIndex(new byte[0], new com.alipay.sofa.jraft.closure.ReadIndexClosure() {
                @Override
                public void run(Status status, long index, byte[] reqCtx) {
                    if (status.isOk()) {
                        onIndex.accept(index);
                    } else {
                        onFailure.accept(status.getErrorMsg());
                    }
                }
            });
        } catch (IllegalStateException shuttingDown) {
            // JRaft handed the closure to its closure executor (ENODESHUTDOWN) before it threw: onFailure answers
        }
    }

    /**
     * On the leader: every follower and how many Raft entries it is behind (-1 without a replicator: down, or
     * this node is not the leader); see {@link FollowerLags}.
     */
    public List<ReadSituation.FollowerLag> followerLags() {
        return followerLags.current();
    }

    /** Asks JRaft to hand leadership to {@code nodeId} (or to any caught-up follower when null). */
    public boolean transferLeadership(String nodeId) {
        PeerId target = nodeId == null ? PeerId.ANY_PEER : peers.byId(nodeId).map(RaftNode::peerId).orElse(null);
        if (target == null) {
            return false;
        }
        Status s = node.transferLeadershipTo(target);
        if (!s.isOk()) {
            LOG.warn("leadership transfer to {} refused: {}", nodeId == null ? "any follower" : nodeId,
                    s.getErrorMsg());
        }
        return s.isOk();
    }

    public PeerDirectory peers() {
        return peers;
    }

    /**
     * Adds {@code p} to the Raft group; completes once JRaft caught it up and committed the new
     * configuration. JRaft gives up when the new node does not answer for an election timeout; that is
     * retried a few times (a node that was just started may not listen yet).
     */
    public CompletableFuture<Void> addPeer(PeerSpec p) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        addPeer(p, 5, f);
        return f;
    }

    private void addPeer(PeerSpec p, int attemptsLeft, CompletableFuture<Void> f) {
        try {
            addPeerOnce(p, attemptsLeft, f);
        } catch (RuntimeException e) { // JRaft refuses at once, e.g. the peer joined the configuration meanwhile
            f.completeExceptionally(new IllegalStateException("add " + p.id() + " failed: " + e.getMessage(), e));
        }
    }

    private void addPeerOnce(PeerSpec p, int attemptsLeft, CompletableFuture<Void> f) {
        node.addPeer(peerId(p), s -> {
            if (s.isOk() || attemptsLeft <= 1
                    || s.getCode() != com.alipay.sofa.jraft.error.RaftError.ECATCHUP.getNumber()) {
                complete(f, s, "add " + p.id());
            } else {
                LOG.info("{} did not catch up yet ({}); retrying", p.id(), s.getErrorMsg());
                CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.SECONDS)
                        .execute(() -> addPeer(p, attemptsLeft - 1, f));
            }
        });
    }

    /** Whether {@code p} is a voting member of the Raft group's current configuration (on the leader). */
    public boolean isMember(PeerSpec p) {
        return node.listPeers().contains(peerId(p));
    }

    /**
     * The voting members of the current configuration other than this node, as the leader knows them; empty when
     * this node is not (or no longer) the leader.
     */
    public List<PeerSpec> votingFollowers() {
        List<PeerId> voters;
        try {
            voters = node.listPeers();
        } catch (IllegalStateException notLeader) { // JRaft: "Not leader", also just after stepping down
            return List.of();
        }
        PeerSpec self = peers.self();
        return peers.current().stream().filter(p -> !p.id().equals(self.id()) && voters.contains(peerId(p)))
                .toList();
    }

    /**
     * On the leader: the voting members it heard from within a leader lease, itself included (JRaft's
     * {@code listAlivePeers}), as configured.
     *
     * @throws IllegalStateException when this node is not the leader
     */
    public List<PeerSpec> answeringMembers() {
        return node.listAlivePeers().stream().map(this::peerOf).flatMap(Optional::stream).toList();
    }

    /** The voting members of the current configuration, as configured (on the leader). */
    public List<PeerSpec> members() {
        List<PeerId> voters = node.listPeers();
        return peers.current().stream().filter(p -> voters.contains(peerId(p))).toList();
    }

    /** Removes {@code p} from the Raft group. */
    public CompletableFuture<Void> removePeer(PeerSpec p) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        node.removePeer(peerId(p), s -> complete(f, s, "remove " + p.id()));
        return f;
    }

    private static void complete(CompletableFuture<Void> f, Status s, String what) {
        if (s.isOk()) {
            f.complete(null);
        } else {
            f.completeExceptionally(new IllegalStateException(what + " failed: " + s.getErrorMsg()));
        }
    }

    /** Takes a snapshot now; completes with the snapshot's index. */
    public CompletableFuture<Long> snapshot() {
        CompletableFuture<Long> f = new CompletableFuture<>();
        node.snapshot((Status s) -> {
            if (s.isOk()) {
                f.complete(fsm.lastSnapshotIndex());
            } else {
                f.completeExceptionally(new RaftRefusedException("snapshot", s));
            }
        });
        return f;
    }

    @Override
    public void close() {
        if (exitDetector != null) {
            exitDetector.close();
        }
        snapshotAsker.shutdownNow();
        service.shutdown();
        try {
            service.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
