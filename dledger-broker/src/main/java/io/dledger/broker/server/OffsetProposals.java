package io.dledger.broker.server;

import io.dledger.broker.raft.RaftNode;
import io.dledger.broker.statemachine.CommandProposer;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.OffsetsResult;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.QueueOffset;
import io.dledger.proto.internal.CommitOffsetsCommand;
import io.dledger.proto.internal.QueueOffsetEntry;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Writes of consumer group offsets (commits, resets, deletions) as Raft proposals: builds a commit's command, checking
 * its shape, proposes it and answers the call once the state machine applied it, or with the refusal. A caller's
 * {@code done} (the end of an operator's change, say) runs before the answer, whatever happened.
 *
 * <p>Thread-safe: no state of its own.
 */
final class OffsetProposals {
    private final CommandProposer proposer;
    private final MessageStore store;
    private final RaftNode raft;
    private final int maxCommittedOffsets;

    OffsetProposals(CommandProposer proposer, MessageStore store, RaftNode raft, int maxCommittedOffsets) {
        this.proposer = proposer;
        this.store = store;
        this.raft = raft;
        this.maxCommittedOffsets = maxCommittedOffsets;
    }

    /**
     * The Raft command committing {@code offsets}; INVALID_ARGUMENT for a bad incarnation, number of offsets or a queue
     * named twice.
     */
    static CommitOffsetsCommand command(String group, String topic, long incarnation, List<QueueOffset> offsets) {
        if (incarnation < 0) {
            throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "topic_incarnation must not be negative");
        }
        if (offsets.isEmpty() || offsets.size() > RequestValidator.MAX_QUEUES) {
            throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "commit 1 to " + RequestValidator.MAX_QUEUES
                    + " queue offsets at a time");
        }
        CommitOffsetsCommand.Builder cmd = CommitOffsetsCommand.newBuilder().setGroup(group).setTopic(topic)
                .setTopicIncarnation(incarnation);
        Set<Integer> named = new HashSet<>();
        for (QueueOffset o : offsets) {
            if (!named.add(o.getQueue())) {
                throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "queue " + o.getQueue() + " is named twice");
            }
            cmd.addOffsets(QueueOffsetEntry.newBuilder().setQueue(o.getQueue()).setOffset(o.getOffset()));
        }
        return cmd.build();
    }

    /**
     * Commits {@code cmd} under this leader's groups.max.committed.offsets; answers with {@code reply} of the Raft
     * index it was applied at.
     */
    <R> void commit(CommitOffsetsCommand cmd, StreamObserver<R> out, Runnable done, LongFunction<R> reply) {
        CommitOffsetsCommand limited = cmd.toBuilder().setMaxCommittedOffsets(maxCommittedOffsets).build();
        propose(() -> proposer.commitOffsets(limited), out, done, r -> {
            if (r.status() != OffsetsResult.Status.OK) {
                throw RpcErrors.fromOffsets(r);
            }
            return reply.apply(store.lastAppliedIndex());
        });
    }

    /** Deletes the group's offsets on {@code topic}; answers with {@code reply} of whether it had any. */
    <R> void deleteGroup(String group, String topic, StreamObserver<R> out, Runnable done, Function<Boolean, R> reply) {
        propose(() -> proposer.deleteGroup(group, topic), out, done, reply);
    }

    private <T, R> void propose(Supplier<CompletableFuture<T>> proposal, StreamObserver<R> out, Runnable done,
                                Function<T, R> reply) {
        CompletableFuture<T> applied;
        try {
            applied = proposal.get();
        } catch (RuntimeException e) { // whatever went wrong, done runs and the caller is answered
            applied = CompletableFuture.failedFuture(e);
        }
        applied.whenComplete((r, e) -> {
            done.run();
            if (e != null) {
                out.onError(RpcErrors.fromProposal(e, raft));
                return;
            }
            R answer;
            try {
                answer = reply.apply(r);
            } catch (StatusRuntimeException refused) {
                out.onError(refused);
                return;
            }
            out.onNext(answer);
            out.onCompleted();
        });
    }
}
