package io.dledger.broker.server;

import com.alipay.sofa.jraft.entity.PeerId;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.raft.RaftNode;
import io.dledger.broker.statemachine.BrokerStateMachine;
import io.dledger.broker.statemachine.CommandProposer;
import io.dledger.proto.AddNodeRequest;
import io.dledger.proto.AddNodeResponse;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.RemoveNodeRequest;
import io.dledger.proto.RemoveNodeResponse;
import io.dledger.proto.TransferLeadershipRequest;
import io.dledger.proto.TransferLeadershipResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Admin calls that change who leads or who belongs to the Raft group: add and remove a node online,
 * transfer leadership. All run on the leader and answer once the change took effect.
 */
final class ClusterOps {
    private final NodeConfig config;
    private final BrokerStateMachine fsm;
    private final RaftNode raft;
    private final CommandProposer proposer;
    private final Executor reads;
    private final Supplier<List<String>> followersWithSpace;
    private final java.util.concurrent.atomic.AtomicBoolean changing = new java.util.concurrent.atomic.AtomicBoolean();

    ClusterOps(NodeConfig config, BrokerStateMachine fsm, RaftNode raft, CommandProposer proposer, Executor reads,
               Supplier<List<String>> followersWithSpace) {
        this.followersWithSpace = followersWithSpace;
        this.config = config;
        this.fsm = fsm;
        this.raft = raft;
        this.proposer = proposer;
        this.reads = reads;
    }

    /**
     * Adds a node (started with --join): records its addresses through Raft, then JRaft adds it once caught up.
     * A node id or Raft address already in the cluster is refused (remove the node first to move it); when JRaft
     * cannot add the node (it does not answer or catch up), the recorded addresses are removed again.
     */
    void addNode(AddNodeRequest req, StreamObserver<AddNodeResponse> reply) {
        StreamObserver<AddNodeResponse> out = beginChange(reply);
        if (out == null) {
            return;
        }
        PeerSpec spec;
        try {
            spec = peerOf(req.getNode());
            RpcErrors.requireLeader(fsm, raft);
            for (PeerSpec p : raft.peers().current()) {
                if (p.id().equals(spec.id()) || p.raftAddress().equals(spec.raftAddress())) {
                    throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "node " + p.id() + " at " + p.raftAddress()
                            + " is already in the cluster; remove it first to add it under another id or address");
                }
            }
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        proposer.peer(peerCommand(spec, false))
                .thenCompose(ok -> raft.addPeer(spec).handle((v, addFailure) -> addFailure))
                .thenCompose(addFailure -> addFailure == null ? CompletableFuture.<Void>completedFuture(null)
                        : proposer.peer(peerCommand(spec, true)).handle((v, e) -> {
                            throw new CompletionException(addFailure instanceof CompletionException
                                    && addFailure.getCause() != null ? addFailure.getCause() : addFailure);
                        }))
                .whenComplete((v, e) -> membershipReply(e, out, () -> AddNodeResponse.newBuilder()
                        .addAllPeers(raft.peers().current().stream().map(RpcErrors::nodeRef).toList()).build()));
    }

    void removeNode(RemoveNodeRequest req, StreamObserver<RemoveNodeResponse> reply) {
        StreamObserver<RemoveNodeResponse> out = beginChange(reply);
        if (out == null) {
            return;
        }
        PeerSpec spec;
        boolean member;
        try {
            RpcErrors.requireLeader(fsm, raft);
            spec = raft.peers().byId(req.getNodeId()).orElseThrow(() -> RpcErrors.error(ErrorCode.INVALID_ARGUMENT,
                    "no node '" + req.getNodeId() + "' in the cluster"));
            if (raft.peers().current().size() <= 1) {
                throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "cannot remove the last node");
            }
            // a node recorded but never made a member (an add that failed before this version rolled it back)
            // only loses its record
            member = raft.isMember(spec);
            if (member && spec.id().equals(config.nodeId())) {
                // it could record its removal only before JRaft removed it (it leads no more after), and could not
                // restore the record when JRaft then refused: a member would be left without addresses
                throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, spec.id() + " " + RpcErrors.LEADER_NOT_REMOVED
                        + " (transferLeadership, 'bin/dledger admin transfer-leader'), then remove it");
            }
            if (member) {
                requireLiveMajorityWithout(spec);
            }
        } catch (IllegalStateException e) { // JRaft: no longer the leader
            out.onError(RpcErrors.notServingLeader(raft.leader().orElse(null), config.nodeId()));
            return;
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        // out of the group first, then its record: a refused removal (a transfer under way, leadership lost) leaves
        // it a member with its addresses; a record left after a removal is taken by the next remove of the node
        CompletableFuture<?> change = member ? raft.removePeer(spec).thenCompose(ok -> proposer.peer(peerCommand(spec,
                true))) : proposer.peer(peerCommand(spec, true));
        change.whenComplete((v, e) -> membershipReply(e, out, () -> RemoveNodeResponse.newBuilder()
                .addAllPeers(raft.peers().current().stream().map(RpcErrors::nodeRef).toList()).build()));
    }

    /**
     * Refuses to remove {@code removed} when the members left would lack a live majority ({@link LiveMajority}). A
     * leader elected less than an election timeout ago counts every member it reached as answering (JRaft starts
     * each replicator as just answered): it answers BUSY, which the SDK retries, until it knows.
     */
    private void requireLiveMajorityWithout(PeerSpec removed) {
        if (fsm.leadingNanos() < TimeUnit.MILLISECONDS.toNanos(config.electionTimeoutMs())) {
            throw RpcErrors.error(ErrorCode.BUSY, "this node was elected leader moments ago and does not know yet "
                    + "which members answer it; retry");
        }
        LiveMajority.problemAfterRemoving(removed.id(), raft.members().stream().map(PeerSpec::id).toList(),
                raft.answeringMembers().stream().map(PeerSpec::id).toList()).ifPresent(problem -> {
                    throw RpcErrors.error(ErrorCode.NO_LIVE_MAJORITY, problem);
                });
    }

    /**
     * One membership change at a time on this leader, so the checks of one (is the id new, is the node a member)
     * are not overtaken by another; a concurrent one is answered BUSY (the SDK retries it after the first). Returns
     * the reply to use, which ends the change when it is answered (whatever the path), or null after BUSY.
     */
    private <T> StreamObserver<T> beginChange(StreamObserver<T> reply) {
        if (!changing.compareAndSet(false, true)) {
            reply.onError(RpcErrors.error(ErrorCode.BUSY, "another node is being added or removed; retry when it is "
                    + "done"));
            return null;
        }
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                reply.onNext(value);
            }

            @Override
            public void onError(Throwable t) {
                changing.set(false);
                reply.onError(t);
            }

            @Override
            public void onCompleted() {
                changing.set(false);
                reply.onCompleted();
            }
        };
    }

    private <T> void membershipReply(Throwable e, StreamObserver<T> out, java.util.function.Supplier<T> answer) {
        if (e == null) {
            out.onNext(answer.get());
            out.onCompleted();
        } else if (e.getCause() instanceof io.dledger.broker.statemachine.ProposalException) {
            out.onError(RpcErrors.fromProposal(e, raft));
        } else {
            out.onError(RpcErrors.error(ErrorCode.NODE_UNAVAILABLE, "membership change failed: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())));
        }
    }

    private static io.dledger.proto.internal.PeerCommand peerCommand(PeerSpec p, boolean removed) {
        return io.dledger.proto.internal.PeerCommand.newBuilder().setId(p.id()).setHost(p.host())
                .setRaftPort(p.raftPort()).setGrpcPort(p.grpcPort()).setRemoved(removed).build();
    }

    /** A NodeRef as a peer: id plus host:port addresses on the same host. */
    private static PeerSpec peerOf(io.dledger.proto.NodeRef n) {
        java.util.List<String> problems = new java.util.ArrayList<>();
        String raft = n.getRaftAddress();
        String grpc = n.getGrpcAddress();
        int r = raft.lastIndexOf(':');
        int g = grpc.lastIndexOf(':');
        if (r < 0 || g < 0 || !raft.substring(0, r).equals(grpc.substring(0, g))) {
            throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "give the node's raft_address and grpc_address as "
                    + "host:port on the same host");
        }
        java.util.List<PeerSpec> parsed = PeerSpec.parseList(n.getId() + "=" + raft + ":" + grpc.substring(g + 1),
                problems);
        if (parsed.size() != 1) {
            throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "invalid node: " + String.join("; ", problems));
        }
        return parsed.get(0);
    }

    /** Hands leadership over and answers once another node leads (or fails after a few election timeouts). */
    void transferLeadership(TransferLeadershipRequest req, StreamObserver<TransferLeadershipResponse> out) {
        CompletableFuture<PeerId> moved;
        try {
            RpcErrors.requireLeader(fsm, raft);
            // none named: the follower HandoverTarget prefers (space on its disk, least behind); JRaft's choice
            // (the most caught-up) when no follower's lag is known
            String to = req.getToNodeId().isEmpty()
                    ? HandoverTarget.choose(raft.followerLags(), followersWithSpace.get()).orElse(null)
                    : req.getToNodeId();
            if (to != null && raft.peers().byId(to).isEmpty()) {
                throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "no node '" + to + "' in the cluster");
            }
            if (config.nodeId().equals(to)) {
                out.onNext(TransferLeadershipResponse.newBuilder().setLeaderId(to).build());
                out.onCompleted();
                return;
            }
            moved = fsm.nextFollowing();
            if (!raft.transferLeadership(to)) {
                throw RpcErrors.error(ErrorCode.NODE_UNAVAILABLE, "JRaft refused the transfer (a transfer or a "
                        + "configuration change may be in progress); retry");
            }
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        long waitMs = 4L * config.electionTimeoutMs() + 2000;
        moved.copy().orTimeout(waitMs, TimeUnit.MILLISECONDS)
                .whenCompleteAsync((leader, e) -> answerTransfer(out, e == null ? leader : null), reads);
    }

    /**
     * Answers a transfer with the leader this node started following ({@code leader}, as JRaft named it in that
     * event, so not lost to a vote of a newer term under way when the answer is sent); null: it never followed
     * another in time.
     */
    private void answerTransfer(StreamObserver<TransferLeadershipResponse> out, PeerId leader) {
        if (leader == null) {
            out.onError(RpcErrors.error(ErrorCode.TIMEOUT, "leadership did not move in time; this node "
                    + (fsm.isLeader() ? "still leads" : "no longer leads")));
            return;
        }
        // not among the peers it knows (a removal under way): the leader it follows now, if it knows that one
        var known = raft.peerOf(leader).or(raft::leader);
        if (known.isEmpty()) {
            out.onError(RpcErrors.error(ErrorCode.TIMEOUT, "leadership moved to " + leader.getEndpoint()
                    + ", which is not in this node's member list"));
            return;
        }
        out.onNext(TransferLeadershipResponse.newBuilder().setLeaderId(known.get().id()).build());
        out.onCompleted();
    }
}
