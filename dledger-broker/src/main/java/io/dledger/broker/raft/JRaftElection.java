package io.dledger.broker.raft;

import com.alipay.sofa.jraft.core.State;
import io.dledger.broker.config.PeerSpec;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * {@link LeaderExitDetector.Election} on this node's {@link RaftNode}: the role and the followed leader from JRaft,
 * the term from the state machine's leader callbacks, and the election timeouts through
 * {@link com.alipay.sofa.jraft.Node#resetElectionTimeoutMs} and the node's own {@code RaftOptions} (JRaft reads
 * the random delay from them each time it arms its election timer). Thread-safe (JRaft's calls are).
 */
final class JRaftElection implements LeaderExitDetector.Election {
    private final RaftNode raft;

    JRaftElection(RaftNode raft) {
        this.raft = raft;
    }

    @Override
    public Optional<InetSocketAddress> followedLeader() {
        return raft.state() != State.STATE_FOLLOWER ? Optional.empty()
                : raft.leader().map(p -> new InetSocketAddress(p.host(), p.raftPort()));
    }

    @Override
    public boolean firstToStand(InetSocketAddress goneLeader) {
        PeerDirectory peers = raft.peers();
        String goneId = peers.byRaftEndpoint(goneLeader.getHostString(), goneLeader.getPort()).map(PeerSpec::id)
                .orElse(null);
        return peers.current().stream().map(PeerSpec::id).filter(id -> !id.equals(goneId)).sorted().findFirst()
                .filter(peers.self().id()::equals).isPresent();
    }

    @Override
    public boolean leads() {
        return raft.state() == State.STATE_LEADER;
    }

    @Override
    public long term() {
        return raft.term();
    }

    @Override
    public void electionTimeouts(int timeoutMs, int maxDelayMs) {
        raft.node().getRaftOptions().setMaxElectionDelayMs(maxDelayMs); // read when the timer is armed: set it first
        raft.node().resetElectionTimeoutMs(timeoutMs);
    }
}
