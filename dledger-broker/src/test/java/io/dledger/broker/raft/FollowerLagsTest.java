package io.dledger.broker.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.core.NodeMetrics;
import com.alipay.sofa.jraft.entity.PeerId;
import com.codahale.metrics.Gauge;
import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.readroute.ReadSituation.FollowerLag;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FollowerLagsTest {
    private static final PeerSpec N1 = new PeerSpec("n1", "127.0.0.1", 9001, 9101);
    private static final PeerSpec N2 = new PeerSpec("n2", "127.0.0.1", 9002, 9102);
    private static final PeerSpec N3 = new PeerSpec("n3", "127.0.0.1", 9003, 9103);

    private final NodeMetrics metrics = new NodeMetrics(true);
    /** The members JRaft's listPeers answers; null: it throws, as off the leader. */
    private final AtomicReference<List<PeerId>> members = new AtomicReference<>();
    /** The members JRaft's listAlivePeers answers. */
    private final AtomicReference<List<PeerId>> alive = new AtomicReference<>(List.of());

    private Node node() {
        return (Node) Proxy.newProxyInstance(Node.class.getClassLoader(), new Class<?>[] {Node.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getNodeMetrics" -> metrics;
                    case "listPeers", "listAlivePeers", "listLearners", "listAliveLearners" -> {
                        if (members.get() == null) {
                            throw new IllegalStateException("Not leader");
                        }
                        yield method.getName().equals("listPeers") ? members.get()
                                : method.getName().equals("listAlivePeers") ? alive.get() : List.of();
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private void replicator(PeerSpec follower, long lag) {
        metrics.getMetricRegistry().register("replicator-" + RaftNode.GROUP_ID + "/" + RaftNode.peerId(follower)
                + ".log-lags", (Gauge<Long>) () -> lag);
    }

    @Test
    void aMemberWhoseReplicatorStillExistsButNoLongerAnswersIsDown() {
        replicator(N2, 3);
        replicator(N3, 7); // JRaft keeps a dead follower's replicator: its lag counts only entries since it died
        members.set(List.of(RaftNode.peerId(N1), RaftNode.peerId(N2), RaftNode.peerId(N3)));
        alive.set(List.of(RaftNode.peerId(N1), RaftNode.peerId(N2)));
        FollowerLags lags = new FollowerLags(node(), () -> List.of(N1, N2, N3), "n1");
        assertThat(lags.current()).containsExactly(new FollowerLag(N2, 3), new FollowerLag(N3, -1));
    }

    @Test
    void aNodeBeingCaughtUpBeforeJoiningShowsItsLag() {
        replicator(N2, 3);
        replicator(N3, 900); // not yet a member: JRaft adds it once caught up
        members.set(List.of(RaftNode.peerId(N1), RaftNode.peerId(N2)));
        alive.set(List.of(RaftNode.peerId(N1), RaftNode.peerId(N2)));
        FollowerLags lags = new FollowerLags(node(), () -> List.of(N1, N2, N3), "n1");
        assertThat(lags.current()).containsExactly(new FollowerLag(N2, 3), new FollowerLag(N3, 900));
    }

    @Test
    void aFollowerWithoutAReplicatorIsDown() {
        replicator(N2, 3);
        members.set(List.of(RaftNode.peerId(N1), RaftNode.peerId(N2), RaftNode.peerId(N3)));
        alive.set(List.of(RaftNode.peerId(N1), RaftNode.peerId(N2), RaftNode.peerId(N3)));
        FollowerLags lags = new FollowerLags(node(), () -> List.of(N1, N2, N3), "n1");
        assertThat(lags.current()).containsExactly(new FollowerLag(N2, 3), new FollowerLag(N3, -1));
    }
}
