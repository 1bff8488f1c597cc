package io.dledger.broker.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.entity.PeerId;
import com.codahale.metrics.Gauge;
import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.readroute.ReadSituation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * On the leader: how many Raft entries each follower is behind, read from JRaft's replicator gauges
 * ({@code replicator-<group>/<peer>.log-lags}); -1 for a follower that is down (without a replicator, or a member
 * the leader has not heard from within a leader lease: JRaft keeps a dead follower's replicator, whose gauge then
 * counts only the entries appended since, small for long when writes are few) or when this node is not the leader.
 * The answer is recomputed at most every {@link #CACHE_NANOS}: pulls ask on every request.
 *
 * <p>Thread-safe: the cached answer is an immutable list behind a volatile reference (two threads may both
 * recompute it; either answer is current).
 */
final class FollowerLags {
    static final long CACHE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private record Cached(long at, List<ReadSituation.FollowerLag> lags) {
    }

    private final Node node;
    private final Supplier<List<PeerSpec>> peers;
    private final String selfId;
    private volatile Cached cached;

    /** {@code peers} gives the cluster's nodes as configured ({@code PeerDirectory::current}), this one included. */
    FollowerLags(Node node, Supplier<List<PeerSpec>> peers, String selfId) {
        this.node = node;
        this.peers = peers;
        this.selfId = selfId;
    }

    List<ReadSituation.FollowerLag> current() {
        long now = System.nanoTime();
        Cached c = cached;
        if (c != null && now - c.at() < CACHE_NANOS) {
            return c.lags();
        }
        var metrics = node.getNodeMetrics();
        Map<String, Gauge> gauges = metrics == null || metrics.getMetricRegistry() == null ? Map.of()
                : metrics.getMetricRegistry().getGauges((name, metric) -> name.startsWith("replicator-"));
        Set<PeerId> down = down();
        List<ReadSituation.FollowerLag> out = new ArrayList<>();
        for (PeerSpec p : peers.get()) {
            if (p.id().equals(selfId)) {
                continue;
            }
            PeerId id = RaftNode.peerId(p);
            Gauge<?> g = down.contains(id) ? null
                    : gauges.get("replicator-" + RaftNode.GROUP_ID + "/" + id + ".log-lags");
            long lag = g != null && g.getValue() instanceof Number n ? n.longValue() : -1;
            out.add(new ReadSituation.FollowerLag(p, lag));
        }
        c = new Cached(now, List.copyOf(out));
        cached = c;
        return c.lags();
    }

    /**
     * The members and learners this leader has not heard from within a leader lease (JRaft's {@code listPeers} less
     * {@code listAlivePeers}, the same for learners); a node JRaft is catching up before adding it is neither. None
     * off the leader.
     */
    private Set<PeerId> down() {
        try {
            Set<PeerId> down = new HashSet<>(node.listPeers());
            down.addAll(node.listLearners());
            node.listAlivePeers().forEach(down::remove);
            node.listAliveLearners().forEach(down::remove);
            return down;
        } catch (IllegalStateException notLeader) {
            return Set.of();
        }
    }
}
