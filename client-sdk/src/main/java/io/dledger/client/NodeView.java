package io.dledger.client;

import io.dledger.proto.Role;

/**
 * One node as seen by {@link AdminClient#describeCluster()}. Immutable, thread-safe.
 *
 * @param id                node id; {@code null} only for a seed address that never answered when no node id at
 *                          all could be learned
 * @param grpcAddress       the address the client uses for this node (a seed address when one answered as this
 *                          node, the advertised address otherwise)
 * @param role              the node's role, or {@link Role#UNREACHABLE} when it did not answer
 * @param term              its current term (0 when unreachable)
 * @param leaderId          the leader it knows, or {@code null}
 * @param commitIndex       its Raft commit index
 * @param appliedIndex      the last index its state machine applied
 * @param lastLogIndex      its last log index
 * @param lastSnapshotIndex index of its last snapshot
 * @param reachable         whether it answered
 * @param error             why it did not answer (or why it stopped serving), or {@code null}
 * @param lagEntries        Raft entries it is behind the leader, as the leader reports it (0 for the leader,
 *                          -1 when unknown)
 * @param metricsUrl        where the node's Prometheus metrics are ({@code null} when unreachable)
 */
public record NodeView(String id, String grpcAddress, Role role, long term, String leaderId, long commitIndex,
        long appliedIndex, long lastLogIndex, long lastSnapshotIndex, boolean reachable, String error,
        long lagEntries, String metricsUrl) {
}
