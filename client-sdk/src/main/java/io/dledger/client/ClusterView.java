package io.dledger.client;

import java.util.List;

/**
 * The cluster as seen by asking every known node at once ({@link AdminClient#describeCluster()}). Immutable,
 * thread-safe.
 *
 * @param nodes    one entry per node of the Raft configuration, sorted by id; unreachable nodes are included with
 *                 {@code reachable == false}
 * @param leaderId the leader the answers agree on (the highest-term answer naming a reachable leader), or
 *                 {@code null} when none is known
 * @param term     the highest term any reachable node reported
 */
public record ClusterView(List<NodeView> nodes, String leaderId, long term) {

    /**
     * Keeps an immutable copy of {@code nodes}.
     *
     * @param nodes    one entry per node of the Raft configuration, sorted by id
     * @param leaderId the leader the answers agree on, or {@code null}
     * @param term     the highest term any reachable node reported
     */
    public ClusterView {
        nodes = List.copyOf(nodes);
    }
}
