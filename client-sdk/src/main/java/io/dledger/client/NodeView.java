package io.dledger.client;

import java.util.List;

/**
 * One node, as {@link AdminClient#describeCluster()} sees it or {@link AdminClient#nodeStatus} reports it.
 * Immutable, thread-safe.
 *
 * @param id                node id; {@code null} only for a seed address that never answered when no node id at
 *                          all could be learned
 * @param grpcAddress       the address the client uses for this node (a seed address when one answered as this
 *                          node, the advertised address otherwise)
 * @param role              the node's role, or {@link NodeRole#UNREACHABLE} when it did not answer
 * @param term              its current term (0 when unreachable)
 * @param leaderId          the leader it knows, or {@code null}
 * @param commitIndex       its Raft commit index
 * @param appliedIndex      the last index its state machine applied
 * @param lastLogIndex      its last log index
 * @param lastSnapshotIndex index of its last snapshot
 * @param snapshotsInstalled snapshots it installed from a leader since it started (catch-up by snapshot)
 * @param reachable         whether it answered
 * @param error             why it did not answer (or why it stopped serving), or {@code null}
 * @param lagEntries        Raft entries it is behind the leader, as the leader reports it (0 for the leader,
 *                          -1 when unknown)
 * @param metricsUrl        where the node's Prometheus metrics are ({@code null} when unreachable)
 * @param disk              the node's disk as it reports it, or {@code null} (unreachable, or a node too old to say)
 * @param peerIds           the ids of the Raft configuration's nodes as this node knows it, itself included (empty
 *                          when unreachable; an immutable list)
 */
public record NodeView(String id, String grpcAddress, NodeRole role, long term, String leaderId, long commitIndex,
        long appliedIndex, long lastLogIndex, long lastSnapshotIndex, long snapshotsInstalled, boolean reachable,
        String error,
        long lagEntries, String metricsUrl, Disk disk, List<String> peerIds) {

    /**
     * Keeps an immutable copy of {@code peerIds}.
     *
     * @param id                 node id, or {@code null} when none could be learned
     * @param grpcAddress        the address the client uses for this node
     * @param role               the node's role, or {@link NodeRole#UNREACHABLE}
     * @param term               its current term (0 when unreachable)
     * @param leaderId           the leader it knows, or {@code null}
     * @param commitIndex        its Raft commit index
     * @param appliedIndex       the last index its state machine applied
     * @param lastLogIndex       its last log index
     * @param lastSnapshotIndex  index of its last snapshot
     * @param snapshotsInstalled snapshots it installed from a leader since it started
     * @param reachable          whether it answered
     * @param error              why it did not answer (or why it stopped serving), or {@code null}
     * @param lagEntries         Raft entries it is behind the leader (0 for the leader, -1 when unknown)
     * @param metricsUrl         where the node's Prometheus metrics are, or {@code null}
     * @param disk               the node's disk as it reports it, or {@code null}
     * @param peerIds            the ids of the Raft configuration's nodes as this node knows it, itself included
     */
    public NodeView {
        peerIds = List.copyOf(peerIds);
    }

    /** This view with {@code lag} as its lag. */
    NodeView withLagEntries(long lag) {
        return new NodeView(id, grpcAddress, role, term, leaderId, commitIndex, appliedIndex, lastLogIndex,
                lastSnapshotIndex, snapshotsInstalled, reachable, error, lag, metricsUrl, disk, peerIds);
    }

    /**
     * The file system holding a node's data, as the node judges it against its own {@code store.min.free.bytes}.
     *
     * @param usableBytes   usable bytes, or -1 when the node cannot tell
     * @param minFreeBytes  the node's {@code store.min.free.bytes} (0: it does not check)
     * @param belowMinimum  {@code usableBytes} is below the minimum: the leader refuses writes while it is itself in
     *                      that state, or while its followers in it leave fewer than a majority able to store
     */
    public record Disk(long usableBytes, long minFreeBytes, boolean belowMinimum) {
    }
}
