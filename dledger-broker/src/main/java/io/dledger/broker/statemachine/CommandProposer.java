package io.dledger.broker.statemachine;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.entity.Task;
import io.dledger.broker.metrics.WritePathTimers;
import io.dledger.broker.store.ProduceResult;
import io.dledger.broker.store.TopicResult;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.internal.Command;
import io.dledger.proto.internal.CommandBatch;
import io.dledger.proto.internal.CommitOffsetsCommand;
import io.dledger.proto.internal.DeleteGroupCommand;
import io.dledger.proto.internal.CreateTopicCommand;
import io.dledger.proto.internal.DeleteTopicCommand;
import io.dledger.proto.internal.PeerCommand;
import io.dledger.proto.internal.RetainCommand;
import io.dledger.broker.store.OffsetsResult;
import io.dledger.proto.internal.ProduceCommand;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Turns client writes into Raft tasks on the leader, grouping them: while fewer than
 * {@code maxInflightEntries} entries are replicating, a write is proposed at once (no added latency
 * when idle); when the pipeline is full, writes wait and the next entry carries all of them (up to
 * {@code maxEntryBytes}). This is group commit: under load one Raft round trip and one fsync serve many
 * requests. Writes waiting beyond {@code maxQueuedBytes} are rejected with BUSY.
 *
 * <p>Thread-safety: safe for any number of threads; entries are submitted to JRaft in the order their
 * first write arrived, under one lock.
 */
public final class CommandProposer {
    private final BrokerStateMachine fsm;
    private final LongSupplier clock;
    private final int maxEntryBytes;
    private final int maxInflightEntries;
    private final long maxQueuedBytes;
    private final WritePathTimers timers;
    private final ArrayDeque<Proposal> queue = new ArrayDeque<>();
    private volatile Node node;
    private long queuedBytes;
    private int inflight;
    private long lastTimestamp;

    public CommandProposer(BrokerStateMachine fsm, LongSupplier clock, int maxEntryBytes, int maxInflightEntries,
                           long maxQueuedBytes, WritePathTimers timers) {
        this.timers = timers;
        this.fsm = fsm;
        this.clock = clock;
        this.maxEntryBytes = maxEntryBytes;
        this.maxInflightEntries = maxInflightEntries;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    /** Set once the Raft node has started. */
    public void attach(Node node) {
        this.node = node;
    }

    public CompletableFuture<ProduceResult> produce(ProduceCommand cmd, int sizeBytes) {
        return propose(Command.newBuilder().setProduce(cmd).build(), sizeBytes).thenApply(ProduceResult.class::cast);
    }

    public CompletableFuture<OffsetsResult> commitOffsets(CommitOffsetsCommand cmd) {
        return propose(Command.newBuilder().setCommitOffsets(cmd).build(), 64 + 12 * cmd.getOffsetsCount())
                .thenApply(OffsetsResult.class::cast);
    }

    /** Deletes a consumer group's offsets on a topic; completes with true when it had some. */
    public CompletableFuture<Boolean> deleteGroup(String group, String topic) {
        return propose(Command.newBuilder().setDeleteGroup(DeleteGroupCommand.newBuilder().setGroup(group)
                .setTopic(topic)).build(), 64).thenApply(Boolean.class::cast);
    }

    /** Completes with true when the topic existed and is now deleted. */
    public CompletableFuture<Boolean> deleteTopic(String topic) {
        return propose(Command.newBuilder().setDeleteTopic(DeleteTopicCommand.newBuilder().setTopic(topic)).build(), 64)
                .thenApply(Boolean.class::cast);
    }

    /** Records a node added or removed online, so every node knows its address. */
    public CompletableFuture<Boolean> peer(PeerCommand cmd) {
        return propose(Command.newBuilder().setPeer(cmd).build(), 64).thenApply(Boolean.class::cast);
    }

    /** Retention: every replica drops segments whose records all lie below {@code firstIndexToKeep}. */
    public CompletableFuture<Boolean> retain(long firstIndexToKeep) {
        return propose(Command.newBuilder().setRetain(RetainCommand.newBuilder().setFirstIndexToKeep(firstIndexToKeep))
                .build(), 16).thenApply(Boolean.class::cast);
    }

    public CompletableFuture<TopicResult> createTopic(CreateTopicCommand cmd) {
        return propose(Command.newBuilder().setCreateTopic(cmd).build(), 64).thenApply(TopicResult.class::cast);
    }

    private CompletableFuture<Object> propose(Command command, int sizeBytes) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        if (node == null || !fsm.isLeader()) {
            result.completeExceptionally(new ProposalException(ErrorCode.NOT_LEADER, "this node is not the leader"));
            return result;
        }
        synchronized (this) {
            if (queuedBytes + sizeBytes > maxQueuedBytes && !queue.isEmpty()) {
                result.completeExceptionally(new ProposalException(ErrorCode.BUSY, "the leader has "
                        + queuedBytes + " bytes of writes waiting to be replicated; retry later"));
                return result;
            }
            queue.add(new Proposal(command, sizeBytes, result, System.nanoTime()));
            queuedBytes += sizeBytes;
            drain();
        }
        return result;
    }

    /**
     * Proposes waiting writes while the pipeline has room (caller holds the lock). A topic deleted in an entry is
     * created again only in a later one: the old topic's files go after its entry (see EntryWriter).
     */
    private void drain() {
        while (inflight < maxInflightEntries && !queue.isEmpty()) {
            List<Proposal> group = new ArrayList<>();
            java.util.Set<String> deleted = null; // topics deleted in this group: rare, so made on first use
            int bytes = 0;
            while (!queue.isEmpty() && (group.isEmpty() || bytes + queue.peek().sizeBytes() <= maxEntryBytes)) {
                Command next = queue.peek().command();
                if (deleted != null && next.hasCreateTopic() && deleted.contains(next.getCreateTopic().getTopic())) {
                    break;
                }
                Proposal p = queue.poll();
                if (next.hasDeleteTopic()) {
                    if (deleted == null) {
                        deleted = new java.util.HashSet<>();
                    }
                    deleted.add(next.getDeleteTopic().getTopic());
                }
                group.add(p);
                bytes += p.sizeBytes();
            }
            queuedBytes -= bytes;
            submit(group);
        }
    }

    private void submit(List<Proposal> group) {
        // never behind the last applied entry, whatever this leader's clock says
        long now = Math.max(clock.getAsLong(), Math.max(lastTimestamp, fsm.store().lastTimestamp()));
        lastTimestamp = now;
        CommandBatch.Builder b = CommandBatch.newBuilder().setTimestampMs(now);
        for (Proposal p : group) {
            b.addCommands(p.command());
        }
        CommandBatch batch = b.build();
        long term = fsm.leaderTerm();
        if (term < 0) {
            fail(group, new ProposalException(ErrorCode.NOT_LEADER, "this node is no longer the leader"));
            return;
        }
        inflight++;
        Task task = new Task();
        task.setData(CommandCodec.encode(batch));
        task.setExpectedTerm(term);
        long proposedNanos = System.nanoTime();
        for (Proposal p : group) {
            timers.queued(proposedNanos - p.enqueuedNanos());
        }
        task.setDone(new ApplyClosure(batch, group, this::entryDone, timers, proposedNanos));
        try {
            node.apply(task);
        } catch (IllegalStateException shuttingDown) {
            // JRaft handed the task's closure to its closure executor (ENODESHUTDOWN) before it threw: the writes
            // fail through it, and no caller of propose sees the exception
        }
    }

    private void entryDone() {
        synchronized (this) {
            inflight--;
            if (!fsm.isLeader()) {
                fail(new ArrayList<>(queue), new ProposalException(ErrorCode.NOT_LEADER,
                        "this node is no longer the leader"));
                queue.clear();
                queuedBytes = 0;
                return;
            }
            drain();
        }
    }

    private static void fail(List<Proposal> group, ProposalException e) {
        for (Proposal p : group) {
            p.result().completeExceptionally(e);
        }
    }

    /** Writes waiting for a Raft entry (a gauge). */
    public synchronized int queued() {
        return queue.size();
    }
}
