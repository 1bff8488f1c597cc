package io.dledger.broker.server;

import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.raft.RaftNode;
import io.dledger.broker.statemachine.BrokerStateMachine;
import io.dledger.proto.FollowerProgress;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.Role;

/** Builds this node's {@link NodeStatus}: role, term, leader, Raft progress, peers, disk. Thread-safe. */
final class NodeStatusReporter {
    private final NodeConfig config;
    private final BrokerStateMachine fsm;
    private final RaftNode raft;
    private final DiskSpaceGuard disk;

    NodeStatusReporter(NodeConfig config, BrokerStateMachine fsm, RaftNode raft, DiskSpaceGuard disk) {
        this.config = config;
        this.fsm = fsm;
        this.raft = raft;
        this.disk = disk;
    }

    /** Never fails: a node in JRaft's error state reports role INACTIVE and why. */
    NodeStatus status() {
        NodeStatus.Builder b = NodeStatus.newBuilder().setSelf(RpcErrors.nodeRef(config.self()))
                .setMetricsUrl(config.metricsUrl())
                .setTerm(raft.term()).setLastSnapshotIndex(fsm.lastSnapshotIndex())
                .setSnapshotsInstalled(fsm.snapshotsInstalled()).setDisk(disk.status());
        for (PeerSpec p : raft.peers().current()) {
            b.addPeers(RpcErrors.nodeRef(p));
        }
        try {
            b.setRole(role()).setCommitIndex(raft.commitIndex()).setAppliedIndex(raft.appliedIndex())
                    .setLastLogIndex(raft.lastLogIndex());
            raft.leader().ifPresent(l -> b.setLeader(RpcErrors.nodeRef(l)));
            if (fsm.isLeader()) {
                raft.followerLags().forEach(f -> b.addFollowers(FollowerProgress.newBuilder().setId(f.peer().id())
                        .setLagEntries(f.lagEntries())));
            }
        } catch (RuntimeException e) {
            b.setRole(Role.INACTIVE);
            b.setError(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        String error = fsm.error() != null ? fsm.error() : fsm.store().failure();
        if (error != null) {
            b.setRole(Role.INACTIVE).setError(error);
        }
        return b.build();
    }

    private Role role() {
        return switch (raft.state()) {
            case STATE_LEADER, STATE_TRANSFERRING -> fsm.isLeader() ? Role.LEADER : Role.CANDIDATE;
            case STATE_FOLLOWER -> Role.FOLLOWER;
            case STATE_CANDIDATE -> Role.CANDIDATE;
            default -> Role.INACTIVE;
        };
    }
}
