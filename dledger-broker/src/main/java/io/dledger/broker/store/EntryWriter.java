package io.dledger.broker.store;

import io.dledger.proto.internal.CommandMessage;
import io.dledger.proto.internal.ProduceCommand;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the commands of one Raft entry to the store: {@link #begin}, then any number of
 * {@link #createTopic} and {@link #produce}, then {@link #commit}. Every record of the entry is encoded
 * into one buffer and written with a single append, so an entry is stored whole or (after a crash in
 * the middle) dropped whole by recovery. Queue offsets are assigned in command order, so every replica
 * that applies the same entries assigns the same offsets. The records are encoded into an {@link EntryBuffer},
 * retried idempotent requests are told apart by {@link IdempotentRequests}, and topics are created and deleted
 * through {@link TopicLifecycle}.
 *
 * <p>Not thread-safe: used by the state machine thread only.
 */
public final class EntryWriter {
    private static final Logger LOG = LoggerFactory.getLogger(EntryWriter.class);

    private final MessageStore store;
    private final TopicLifecycle topics;
    private final EntryBuffer records = new EntryBuffer();
    private final IdempotentRequests requests = new IdempotentRequests();
    private final List<QueueIndex> touched = new ArrayList<>();
    /** Topic and queue of each index in {@link #touched}, for the publish listener. */
    private final List<String> touchedTopics = new ArrayList<>();
    private final List<Integer> touchedQueues = new ArrayList<>();
    /**
     * State changes of offset commits, group deletions and topic deletions, applied in command order once the records
     * are written.
     */
    private final List<Runnable> afterWrite = new ArrayList<>();
    private final List<TopicQueues> deletedTopics = new ArrayList<>();
    /** Groups whose offsets this entry committed (true) or deleted (false) so far, the last change of each. */
    private final Map<ConsumerOffsets.Key, Boolean> groupsChanged = new HashMap<>();
    private long retainFrom;
    private long raftIndex;
    private long timestamp;
    private long entryBase;
    private boolean open;

    EntryWriter(MessageStore store, TopicLifecycle topics) {
        this.store = store;
        this.topics = topics;
    }

    /** Starts the entry at Raft {@code raftIndex}; {@code timestamp} is the leader's store time for it. */
    public void begin(long raftIndex, long timestamp) {
        if (open) {
            throw new IllegalStateException("entry " + this.raftIndex + " is still open");
        }
        this.raftIndex = raftIndex;
        this.timestamp = timestamp;
        this.entryBase = store.log().endPosition();
        this.open = true;
    }

    /**
     * Creates a topic of {@code queues} queues unless one of that name exists, one whose name differs only in letter
     * case exists and {@code refuseCaseVariants}, or the cluster's queues would then exceed {@code maxTotalQueues}
     * (0: no limit).
     */
    public TopicResult createTopic(String name, int queues, int maxTotalQueues, boolean refuseCaseVariants) {
        TopicQueues existing = topics.get(name);
        if (existing != null) {
            return new TopicResult(existing.queueCount() == queues ? TopicResult.Status.EXISTS
                    : TopicResult.Status.CONFLICT, name, existing.queueCount());
        }
        TopicView variant = refuseCaseVariants ? store.caseVariantOf(name) : null;
        if (variant != null) {
            return new TopicResult(TopicResult.Status.CASE_VARIANT_EXISTS, variant.name(), variant.queues());
        }
        int total = store.totalQueues();
        if (maxTotalQueues > 0 && (long) total + queues > maxTotalQueues) {
            return new TopicResult(TopicResult.Status.LIMIT_EXCEEDED, name, total);
        }
        for (java.util.Iterator<TopicQueues> it = deletedTopics.iterator(); it.hasNext(); ) {
            TopicQueues deleted = it.next();
            if (deleted.name().equals(name)) {
                // the old topic's files would go after this entry, at the new topic's paths: they go now instead.
                // Only entries of older versions hold both (CommandProposer puts them in separate entries); they
                // create the topic, as those versions did. A kill -9 before this entry's records are written
                // finds the index missing and rebuilds it from the log, then Raft replays the entry.
                topics.deleteFilesNow(deleted);
                it.remove();
            }
        }
        byte[] nameBytes = RecordCodec.utf8(name);
        int start = reserve(TopicRecordCodec.topicCreatedSize(nameBytes));
        TopicRecordCodec.writeTopicCreated(records.buffer(), raftIndex, records.count() - 1, timestamp, nameBytes,
                queues);
        topics.add(name, raftIndex, queues);
        assert records.buffer().position() == start + TopicRecordCodec.topicCreatedSize(nameBytes);
        return new TopicResult(TopicResult.Status.CREATED, name, queues);
    }

    public ProduceResult produce(ProduceCommand cmd) {
        TopicQueues topic = topics.get(cmd.getTopic());
        if (topic == null) {
            return ProduceResult.rejected(ProduceResult.Status.TOPIC_NOT_FOUND, "topic " + cmd.getTopic());
        }
        for (CommandMessage m : cmd.getMessagesList()) {
            if (m.getQueue() < 0 || m.getQueue() >= topic.queueCount()) {
                return ProduceResult.rejected(ProduceResult.Status.QUEUE_NOT_FOUND, "queue " + m.getQueue()
                        + " of topic " + cmd.getTopic() + " (it has " + topic.queueCount() + " queues)");
            }
        }
        long pid = cmd.getProducerId();
        long seq = cmd.getSequence();
        if (pid != 0) {
            ProduceResult earlier = requests.earlierAnswer(pid, seq, cmd.getTopic(), store.producers(), store.log());
            if (earlier != null) {
                return earlier;
            }
        }
        int n = cmd.getMessagesCount();
        int[] queues = new int[n];
        long[] offsets = new long[n];
        byte[] topicBytes = topic.nameBytes();
        int firstStart = -1;
        for (int i = 0; i < n; i++) {
            CommandMessage m = cmd.getMessages(i);
            byte[] key = RecordCodec.utf8(m.getKey());
            byte[] tags = RecordCodec.utf8(m.getTags());
            SortedMap<String, String> props = m.getPropertiesCount() == 0 ? Collections.emptySortedMap()
                    : new TreeMap<>(m.getPropertiesMap());
            ByteBuffer body = m.getBody().asReadOnlyByteBuffer();
            int size = MessageRecordCodec.messageSize(topicBytes, key, tags, props, body.remaining());
            int start = reserve(size);
            if (firstStart < 0) {
                firstStart = start;
            }
            QueueIndex index = topic.queue(m.getQueue());
            long offset = index.writeOffset();
            if (index.writeOffset() == index.nextOffset()) {
                touched.add(index);
                touchedTopics.add(topic.name());
                touchedQueues.add(m.getQueue());
            }
            index.append(offset, entryBase + start, size);
            MessageRecordCodec.writeMessage(records.buffer(), size, raftIndex, records.count() - 1, timestamp, pid, seq,
                    topicBytes, m.getQueue(), offset, key, tags, props, body);
            queues[i] = m.getQueue();
            offsets[i] = offset;
        }
        ProduceResult result = new ProduceResult(ProduceResult.Status.OK, queues, offsets, raftIndex, timestamp, "");
        if (pid != 0 && n > 0) {
            requests.stored(pid, seq, cmd.getTopic(), result, entryBase + firstStart);
        }
        return result;
    }

    /**
     * Deletes a topic: later commands (this entry included) no longer see it; its files go once the entry is
     * written and a checkpoint without the topic is on disk (recovery never looks for them).
     */
    public boolean deleteTopic(String name) {
        TopicQueues t = topics.get(name);
        if (t == null) {
            return false;
        }
        byte[] nameBytes = RecordCodec.utf8(name);
        reserve(TopicRecordCodec.topicDeletedSize(nameBytes));
        TopicRecordCodec.writeTopicDeleted(records.buffer(), raftIndex, records.count() - 1, timestamp, nameBytes);
        topics.remove(name);
        afterWrite.add(() -> store.consumerOffsets().removeTopic(name));
        deletedTopics.add(t);
        return true;
    }

    /** Records a node's address (added online) or its removal. */
    public void peer(RecordCodec.Peer p) {
        reserve(PeerRecordCodec.peerSize(p));
        PeerRecordCodec.writePeer(records.buffer(), raftIndex, records.count() - 1, timestamp, p);
        afterWrite.add(() -> store.putPeer(p));
    }

    /**
     * Retention: after this entry, drop segments whose records all have a Raft index below
     * {@code firstIndexToKeep}.
     */
    public void retain(long firstIndexToKeep) {
        retainFrom = Math.max(retainFrom, firstIndexToKeep);
    }

    /**
     * Stores a consumer group's offsets; rejected (nothing stored) for unknown queues or offsets past the end, and,
     * when {@code incarnation} is not 0, for a topic newer than that incarnation (deleted and created again since the
     * offsets were read: they are the old topic's). Decided on what every replica applied alike: a topic whose
     * incarnation is unknown here (0, from a version-1 checkpoint) takes any, and so does a newer incarnation than
     * the topic's, which no consumer can have learned before this entry. Also rejected when the queue offsets it adds
     * to those committed before this entry would exceed {@code maxCommitted} (0: no limit).
     */
    public OffsetsResult commitOffsets(String group, String topic, long incarnation, int[] queues, long[] offsets,
                                       int maxCommitted) {
        TopicQueues t = topics.get(topic);
        if (t == null) {
            return new OffsetsResult(OffsetsResult.Status.TOPIC_NOT_FOUND, "topic '" + topic + "' does not exist");
        }
        if (t.replacedSince(incarnation)) {
            return new OffsetsResult(OffsetsResult.Status.TOPIC_REPLACED, t.replacedMessage(incarnation));
        }
        for (int i = 0; i < queues.length; i++) {
            if (queues[i] < 0 || queues[i] >= t.queueCount()) {
                return new OffsetsResult(OffsetsResult.Status.QUEUE_NOT_FOUND, "topic '" + topic + "' has queues 0.."
                        + (t.queueCount() - 1) + ", not " + queues[i]);
            }
            long end = t.queue(queues[i]).writeOffset();
            if (offsets[i] < 0 || offsets[i] > end) {
                return new OffsetsResult(OffsetsResult.Status.OFFSET_OUT_OF_RANGE, "offset " + offsets[i]
                        + " is outside [0, " + end + "] of " + topic + "/" + queues[i], 0, end);
            }
        }
        int added = store.consumerOffsets().added(group, topic, queues);
        if (maxCommitted > 0 && added > 0 && (long) store.consumerOffsets().size() + added > maxCommitted) {
            return new OffsetsResult(OffsetsResult.Status.LIMIT_EXCEEDED, "the cluster keeps "
                    + store.consumerOffsets().size() + " committed queue offsets; " + added + " more would exceed "
                    + "groups.max.committed.offsets (" + maxCommitted + "): delete groups no longer used "
                    + "(group delete)");
        }
        byte[] g = RecordCodec.utf8(group);
        byte[] tb = RecordCodec.utf8(topic);
        reserve(OffsetsRecordCodec.offsetsSize(g, tb, queues.length));
        OffsetsRecordCodec.writeOffsets(records.buffer(), raftIndex, records.count() - 1, timestamp, g, tb, queues,
                offsets);
        int[] q = queues.clone();
        long[] o = offsets.clone();
        afterWrite.add(() -> store.consumerOffsets().commit(group, topic, q, o));
        groupsChanged.put(new ConsumerOffsets.Key(group, topic), true);
        return new OffsetsResult(OffsetsResult.Status.OK, "");
    }

    /**
     * Deletes a consumer group's offsets on {@code topic} (a GROUP_DELETED record); whether it had any, counting this
     * entry's earlier commands (the same on every replica). Nothing is written when it had none.
     */
    public boolean deleteGroupOffsets(String group, String topic) {
        Boolean inEntry = groupsChanged.put(new ConsumerOffsets.Key(group, topic), false);
        // a topic deleted earlier in this entry took its groups' offsets, committed before it in the entry too (and no
        // commit of it can follow its deletion)
        boolean had = deletedTopics.stream().noneMatch(t -> t.name().equals(topic))
                && (inEntry != null ? inEntry : store.consumerOffsets().has(group, topic));
        if (!had) {
            return false;
        }
        byte[] g = RecordCodec.utf8(group);
        byte[] tb = RecordCodec.utf8(topic);
        reserve(OffsetsRecordCodec.groupDeletedSize(g, tb));
        OffsetsRecordCodec.writeGroupDeleted(records.buffer(), raftIndex, records.count() - 1, timestamp, g, tb);
        afterWrite.add(() -> store.consumerOffsets().forget(group, topic));
        return had;
    }

    /** Makes room for a record of {@code size} bytes; returns where it starts in the entry buffer. */
    private int reserve(int size) {
        if (!open) {
            throw new IllegalStateException("no entry is open");
        }
        return records.reserve(size);
    }

    /**
     * Writes the entry's records to the log, publishes the new queue offsets to readers and marks the
     * entry applied. An entry that stored nothing only advances the applied index.
     */
    public void commit() {
        try {
            try {
                writeRecords();
            } catch (RuntimeException e) {
                store.markFailed("writing Raft entry " + raftIndex + " failed: " + e.getMessage());
                throw e;
            }
            notifyListener();
        } finally {
            reset();
        }
    }

    /**
     * Tells the publish listener (waiting pulls) which queues got messages, once the entry is applied. A listener
     * that fails is logged: the entry is stored, and a failed wake-up must not fail the store.
     */
    private void notifyListener() {
        QueueListener listener = store.publishListener();
        if (listener == null) {
            return;
        }
        for (int i = 0; i < touched.size(); i++) {
            try {
                listener.published(touchedTopics.get(i), touchedQueues.get(i));
            } catch (RuntimeException e) {
                LOG.warn("entry {}: waking the readers of {}/{} failed", raftIndex, touchedTopics.get(i),
                        touchedQueues.get(i), e);
            }
        }
    }

    private void writeRecords() {
        int recordCount = records.count();
        if (recordCount > 0) {
            long position = store.log().append(records.seal());
            if (position != entryBase) {
                throw new StoreException("entry " + raftIndex + " landed at " + position + ", expected " + entryBase);
            }
            for (QueueIndex index : touched) {
                index.publish();
            }
            requests.recordInto(store.producers(), timestamp);
            afterWrite.forEach(Runnable::run);
        }
        store.applied(raftIndex, timestamp, recordCount > 0);
        if (!deletedTopics.isEmpty()) {
            topics.deleteFiles(deletedTopics);
        }
        if (retainFrom > 0) {
            StoreRetention.retainBefore(store, retainFrom);
        }
    }

    private void reset() {
        records.clear();
        touched.clear();
        touchedTopics.clear();
        touchedQueues.clear();
        requests.clear();
        afterWrite.clear();
        deletedTopics.clear();
        groupsChanged.clear();
        retainFrom = 0;
        open = false;
    }
}
