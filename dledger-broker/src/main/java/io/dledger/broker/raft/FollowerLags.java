package io.dledger.broker.raft;

import com.alipay.sofa.jraft.Node;
import com.codahale.metrics.Gauge;
import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.readroute.ReadSituation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * On the leader: how many Raft entries each follower is behind, read from JRaft's replicator gauges
 * ({@code replicator-<group>/<peer>.log-lags}); -1 for a follower without a replicator (down, or this node is not
 * the leader). The answer is recomputed at most every {@link #CACHE_NANOS}: pulls ask on every request.
 *
 * <p>Thread-safe: the cached answer is an immutable list behind a volatile reference (two threads may both
 * recompute it; either answer is current).
 */
final class FollowerLags {
    static final long CACHE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private record Cached(long at, List<ReadSituation.FollowerLag> lags) {
    }

    private final Node node;
    private final PeerDirectory peers;
    private final String selfId;
    private volatile Cached cached;

    FollowerLags(Node node, PeerDirectory peers, String selfId) {
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
        List<ReadSituation.FollowerLag> out = new ArrayList<>();
        for (PeerSpec p : peers.current()) {
            if (p.id().equals(selfId)) {
                continue;
            }
            Gauge<?> g = gauges.get("replicator-" + RaftNode.GROUP_ID + "/" + RaftNode.peerId(p) + ".log-lags");
            long lag = g != null && g.getValue() instanceof Number n ? n.longValue() : -1;
            out.add(new ReadSituation.FollowerLag(p, lag));
        }
        c = new Cached(now, List.copyOf(out));
        cached = c;
        return c.lags();
    }
}
