package io.dledger.broker.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.core.State;
import com.alipay.sofa.jraft.entity.PeerId;
import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.statemachine.BrokerStateMachine;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * {@link LeaderExitDetector.Election} on a JRaft node: the followed leader and the role from JRaft, the term from
 * the state machine's leader callbacks, and the election timeouts through {@link Node#resetElectionTimeoutMs} and the node's
 * own {@code RaftOptions} (JRaft reads the random delay from them each time it arms its election timer).
 * Thread-safe (JRaft's calls are).
 */
final class JRaftElection implements LeaderExitDetector.Election {
    private final Node node;
    private final BrokerStateMachine fsm;
    private final PeerDirectory peers;
    private final String selfId;

    JRaftElection(Node node, BrokerStateMachine fsm, PeerDirectory peers, String selfId) {
        this.node = node;
        this.fsm = fsm;
        this.peers = peers;
        this.selfId = selfId;
    }

    @Override
    public boolean firstToStand(InetSocketAddress goneLeader) {
        String goneId = peers.byRaftEndpoint(goneLeader.getHostString(), goneLeader.getPort()).map(PeerSpec::id)
                .orElse(null);
        return peers.current().stream().map(PeerSpec::id).filter(id -> !id.equals(goneId)).sorted().findFirst()
                .filter(selfId::equals).isPresent();
    }

    @Override
    public Optional<InetSocketAddress> followedLeader() {
        if (((NodeImpl) node).getNodeState() != State.STATE_FOLLOWER) {
            return Optional.empty();
        }
        PeerId leader = node.getLeaderId();
        return leader == null || leader.isEmpty() ? Optional.empty()
                : Optional.of(new InetSocketAddress(leader.getIp(), leader.getPort()));
    }

    @Override
    public boolean leads() {
        return ((NodeImpl) node).getNodeState() == State.STATE_LEADER;
    }

    @Override
    public long term() {
        return fsm.knownTerm();
    }

    @Override
    public void electionTimeouts(int timeoutMs, int maxDelayMs) {
        node.getRaftOptions().setMaxElectionDelayMs(maxDelayMs); // read when the timer is armed: set it first
        node.resetElectionTimeoutMs(timeoutMs);
    }
}
