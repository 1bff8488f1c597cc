package io.dledger.broker.statemachine;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Status;
import io.dledger.proto.ErrorCode;
import io.dledger.broker.metrics.WritePathTimers;
import io.dledger.proto.internal.CommandBatch;
import java.util.List;

/**
 * Completion of one Raft task on the leader. It carries the decoded {@link CommandBatch} (so the
 * leader does not decode what it encoded) and the proposals whose results the state machine fills in;
 * {@link #run} completes them, or fails them all when the entry did not commit under this leader.
 *
 * <p>JRaft calls {@link #run} exactly once, on the state machine thread or a Raft thread.
 */
final class ApplyClosure implements Closure {
    private final CommandBatch batch;
    private final List<Proposal> proposals;
    private final Runnable onDone;
    private final WritePathTimers timers;
    private final long proposedNanos;
    private long applyStartNanos;
    private Object[] results;

    /** {@code proposedNanos}: when the entry was handed to JRaft ({@link System#nanoTime()}). */
    ApplyClosure(CommandBatch batch, List<Proposal> proposals, Runnable onDone, WritePathTimers timers,
                 long proposedNanos) {
        this.batch = batch;
        this.proposals = proposals;
        this.onDone = onDone;
        this.timers = timers;
        this.proposedNanos = proposedNanos;
    }

    CommandBatch batch() {
        return batch;
    }

    /** The state machine starts applying the entry: it is committed (ends the replicated stage). */
    void applyStarted() {
        applyStartNanos = System.nanoTime();
        timers.replicated(applyStartNanos - proposedNanos, proposals.size());
    }

    /** Results per command, in batch order (set by the state machine before {@code run(OK)}). */
    void setResults(Object[] results) {
        this.results = results;
        timers.applied(System.nanoTime() - applyStartNanos, proposals.size());
    }

    @Override
    public void run(Status status) {
        try {
            if (status.isOk() && results != null) {
                for (int i = 0; i < proposals.size(); i++) {
                    proposals.get(i).result().complete(results[i]);
                }
            } else {
                ProposalException e = new ProposalException(ErrorCode.OUTCOME_UNKNOWN, (status.getRaftError()
                        == com.alipay.sofa.jraft.error.RaftError.ENODESHUTDOWN ? "the leader is shutting down ("
                        : "leadership changed while the write was replicating (") + status.getErrorMsg()
                        + "): it may or may not have been applied (a produce retried with the same producer "
                        + "id and sequence learns which)");
                for (Proposal p : proposals) {
                    p.result().completeExceptionally(e);
                }
            }
        } finally {
            onDone.run();
        }
    }
}
