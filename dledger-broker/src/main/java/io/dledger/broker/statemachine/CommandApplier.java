package io.dledger.broker.statemachine;

import io.dledger.broker.store.EntryWriter;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.OffsetsResult;
import io.dledger.broker.store.RecordCodec;
import io.dledger.proto.internal.Command;
import io.dledger.proto.internal.CommandBatch;
import io.dledger.proto.internal.CommitOffsetsCommand;
import io.dledger.proto.internal.PeerCommand;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the commands of one committed Raft entry to the {@link MessageStore} as one store entry:
 * {@link EntryWriter#begin} at the entry's Raft index and the leader's timestamp, one write per command in
 * batch order, then {@link EntryWriter#commit}. The results depend only on the store and the entry, so every
 * replica computes the same ones.
 *
 * <p>Thread-safety: not thread-safe; called only on JRaft's state machine thread, one entry at a time, in log
 * order (see {@link BrokerStateMachine#onApply}).
 */
final class CommandApplier {
    // lines logged here keep the logger name they had before they moved out of BrokerStateMachine
    private static final Logger LOG = LoggerFactory.getLogger(BrokerStateMachine.class);

    private final MessageStore store;

    CommandApplier(MessageStore store) {
        this.store = store;
    }

    /**
     * Applies {@code batch}, the entry at Raft {@code index}, and returns each command's result in batch order.
     * A {@link RuntimeException} means the entry could not be applied (a storage failure, a command without a
     * kind): the caller stops the node.
     */
    Object[] apply(long index, CommandBatch batch) {
        List<Command> commands = batch.getCommandsList();
        Object[] results = new Object[commands.size()];
        EntryWriter w = store.writer();
        w.begin(index, batch.getTimestampMs());
        for (int i = 0; i < results.length; i++) {
            Command c = commands.get(i);
            results[i] = switch (c.getKindCase()) {
                case PRODUCE -> w.produce(c.getProduce());
                case CREATE_TOPIC -> w.createTopic(c.getCreateTopic().getTopic(), c.getCreateTopic().getQueues(),
                        c.getCreateTopic().getMaxTotalQueues(), c.getCreateTopic().getRefuseCaseVariants());
                case COMMIT_OFFSETS -> commitOffsets(w, c.getCommitOffsets());
                case DELETE_TOPIC -> w.deleteTopic(c.getDeleteTopic().getTopic());
                case DELETE_GROUP -> w.deleteGroupOffsets(c.getDeleteGroup().getGroup(), c.getDeleteGroup().getTopic());
                case PEER -> {
                    PeerCommand p = c.getPeer();
                    if (p.getId().getBytes(StandardCharsets.UTF_8).length > RecordCodec.MAX_STRING_BYTES
                            || p.getHost().getBytes(StandardCharsets.UTF_8).length > RecordCodec.MAX_STRING_BYTES) {
                        // committed before the leader checked lengths, and more than the store's length-prefixed
                        // record holds: every version stopped at this entry; now every replica skips it. Shorter
                        // ones (which older versions stored) are applied as before, so replicas stay alike.
                        LOG.warn("entry {}: ignoring a node record with an id or host too long to store ({} / {} "
                                + "characters)", index, p.getId().length(), p.getHost().length());
                        yield Boolean.FALSE;
                    }
                    w.peer(new RecordCodec.Peer(p.getId(), p.getHost(), p.getRaftPort(), p.getGrpcPort(),
                            p.getRemoved()));
                    yield Boolean.TRUE;
                }
                case RETAIN -> {
                    w.retain(c.getRetain().getFirstIndexToKeep());
                    yield Boolean.TRUE;
                }
                case KIND_NOT_SET -> throw new IllegalStateException("command without a kind in entry " + index);
            };
        }
        w.commit();
        return results;
    }

    private static OffsetsResult commitOffsets(EntryWriter w, CommitOffsetsCommand c) {
        int n = c.getOffsetsCount();
        int[] queues = new int[n];
        long[] offsets = new long[n];
        for (int i = 0; i < n; i++) {
            queues[i] = c.getOffsets(i).getQueue();
            offsets[i] = c.getOffsets(i).getOffset();
        }
        return w.commitOffsets(c.getGroup(), c.getTopic(), c.getTopicIncarnation(), queues, offsets,
                c.getMaxCommittedOffsets());
    }
}
