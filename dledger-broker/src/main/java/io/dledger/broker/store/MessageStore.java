package io.dledger.broker.store;

import io.dledger.broker.disk.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's message store: a segmented append-only log of records ({@link RecordCodec}), one index
 * per queue ({@link QueueIndex}) and a checkpoint of derived state ({@link Checkpoint}).
 *
 * <p>Layout of the store directory: {@code LOCK}, {@code log/<position>.log},
 * {@code index/<topic>/<queue>/<offset>.idx}, {@code checkpoint}, and {@code INSTALLING} while a
 * snapshot replaces the data (a store that finds it at start was interrupted and starts empty, to be
 * filled again from the Raft snapshot).
 *
 * <p>Thread-safety: the state machine thread is the only writer (through {@link #writer()}, snapshot
 * capture and install); reads ({@link #read}, {@link #topic}, {@link #topics}) may run on any thread and
 * see every entry whose commit completed before they started. After any write failure the store is
 * {@linkplain #failure() failed}: it writes no more checkpoints, so a restart recovers from what is on
 * disk.
 */
public final class MessageStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MessageStore.class);
    static final String INSTALL_MARKER = "INSTALLING";

    private final StoreConfig config;
    private final Path logDir;
    private final Path indexRoot;
    private final StoreLock lock;
    private final ProducerTable producers;
    private final ConsumerOffsets consumerOffsets = new ConsumerOffsets();
    private final ConcurrentHashMap<String, RecordCodec.Peer> peers = new ConcurrentHashMap<>();
    private final EntryWriter writer = new EntryWriter(this);
    private final CheckpointScheduler checkpoints;
    private final CheckpointWriter checkpointWriter;
    private volatile StoreData data;
    private volatile long lastAppliedIndex;
    private volatile long lastTimestamp;
    private volatile String failure;
    private volatile QueueListener publishListener;

    private MessageStore(StoreConfig config) {
        this.config = config;
        this.logDir = config.dir().resolve("log");
        this.indexRoot = config.dir().resolve("index");
        this.lock = StoreLock.acquire(config.dir());
        this.producers = new ProducerTable(config.producerExpiryMs(), config.maxProducers());
        this.checkpoints = new CheckpointScheduler(config.checkpointIntervalBytes(), config.checkpointIntervalMs());
        this.checkpointWriter = new CheckpointWriter(config.dir().resolve("checkpoint"), () -> data, () -> failure);
    }

    /** Opens (and recovers) the store in {@code config.dir()}, creating it when empty. */
    public static MessageStore open(StoreConfig config) {
        MessageStore store = new MessageStore(config);
        try {
            store.removeCheckpointLeftovers();
            store.data = store.load(null, false);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /** Removes what an interrupted checkpoint write left: at open, under the store's lock, when nothing writes. */
    private void removeCheckpointLeftovers() {
        try {
            DurableFiles.removeLeftovers(checkpointWriter.file());
        } catch (IOException e) {
            throw new StoreException("cannot remove an unfinished checkpoint in " + config.dir(), e);
        }
    }

    private StoreData load(Long truncateLogTo, boolean installing) {
        Path marker = config.dir().resolve(INSTALL_MARKER);
        if (!installing && Files.exists(marker)) {
            LOG.warn("a snapshot install into {} was interrupted; starting with an empty store, which the Raft "
                    + "snapshot fills again", config.dir());
            try {
                deleteData();
                Files.delete(marker);
            } catch (IOException e) {
                throw new StoreException("cannot reset interrupted install in " + config.dir(), e);
            }
        }
        SegmentedLog log = SegmentedLog.open(logDir, config.segmentBytes());
        try {
            Path checkpointFile = checkpointWriter.file();
            Checkpoint c = Files.exists(checkpointFile) ? CheckpointCodec.read(checkpointFile)
                    : Checkpoint.empty(log.startPosition());
            if (truncateLogTo != null && log.endPosition() > truncateLogTo) {
                log.truncate(truncateLogTo);
            }
            ConcurrentHashMap<String, TopicQueues> topics = new ConcurrentHashMap<>();
            StoreRecovery.Result r = StoreRecovery.recover(log, c, topics, producers, consumerOffsets, peers, indexRoot,
                    config.indexEntriesPerFile());
            lastAppliedIndex = r.lastAppliedIndex();
            lastTimestamp = Math.max(lastTimestamp, Math.max(c.lastTimestamp(), r.lastTimestamp()));
            checkpointWriter.loaded(c.raftIndex());
            checkpoints.reset(c.logPosition());
            return new StoreData(log, topics);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    private void deleteData() throws IOException {
        FileTree.deleteRecursively(logDir);
        FileTree.deleteRecursively(indexRoot);
        Files.deleteIfExists(checkpointWriter.file());
    }

    public StoreConfig config() {
        return config;
    }

    /** The writer for applying Raft entries (state machine thread only). */
    public EntryWriter writer() {
        return writer;
    }

    /** Highest Raft index whose entry is fully reflected in the store. */
    public long lastAppliedIndex() {
        return lastAppliedIndex;
    }

    /** Store timestamp of the newest entry applied (0 when none). */
    public long lastTimestamp() {
        return lastTimestamp;
    }

    public long logEndPosition() {
        return data.log().endPosition();
    }

    /** Told (on the state machine thread) whenever new messages of a queue become readable. */
    public void setPublishListener(QueueListener listener) {
        this.publishListener = listener;
    }

    QueueListener publishListener() {
        return publishListener;
    }

    /** Why the store stopped accepting writes, or null while healthy. */
    public String failure() {
        return failure;
    }

    /** Marks the store failed: no further checkpoints (state machine thread, after a write failed). */
    public void markFailed(String why) {
        if (failure == null) {
            failure = why;
            LOG.error("message store failed: {}; it takes no more checkpoints", why);
        }
    }

    SegmentedLog log() {
        return data.log();
    }

    StoreData data() {
        return data;
    }

    TopicQueues topicQueues(String name) {
        return data.topics().get(name);
    }

    ProducerTable producers() {
        return producers;
    }

    /** Nodes added or removed online, by id (any thread). */
    public Map<String, RecordCodec.Peer> peerRecords() {
        return Map.copyOf(peers);
    }

    void putPeer(RecordCodec.Peer p) {
        peers.put(p.id(), p);
    }

    ConsumerOffsets consumerOffsets() {
        return consumerOffsets;
    }

    /** Every consumer group with committed offsets: group -> its topics, both sorted. Any thread. */
    public SortedMap<String, SortedSet<String>> committedGroups() {
        return consumerOffsets.groups();
    }

    /** A consumer group's committed offsets in {@code topic}: queue -> next offset. Any thread. */
    public Map<Integer, Long> committedOffsets(String group, String topic) {
        return consumerOffsets.get(group, topic);
    }

    void removeTopic(String name) {
        data.topics().remove(name);
    }

    /** Deletes a deleted topic's files at once, without a checkpoint first (see EntryWriter#createTopic). */
    void deleteTopicFilesNow(TopicQueues t) {
        t.delete(indexRoot);
        LOG.info("deleted topic {} (created again in the same entry)", t.name());
    }

    /**
     * Deletes the files of topics an entry deleted (state machine thread, after the entry is applied): a checkpoint
     * without them is written first, so a kill -9 in between never finds a checkpointed topic without its index.
     */
    void deleteTopicFiles(List<TopicQueues> deleted) {
        checkpointBeforeDeleting();
        for (TopicQueues t : deleted) {
            t.delete(indexRoot);
            LOG.info("deleted topic {}", t.name());
        }
    }

    /** Every segment, oldest first (any thread; reads one record header per segment). */
    public List<SegmentInfo> segmentInfos() {
        return StoreRetention.segmentInfos(data.log());
    }

    void addTopic(String name, int queues) {
        data.topics().put(name, TopicQueues.create(indexRoot, config.indexEntriesPerFile(), name, queues));
    }

    /** Called by the writer when entry {@code raftIndex} is complete. */
    void applied(long raftIndex, long timestamp, boolean wroteRecords) {
        lastAppliedIndex = raftIndex;
        lastTimestamp = Math.max(lastTimestamp, timestamp);
        if (wroteRecords && failure == null) {
            long seen = checkpointWriter.syncCheckpoints();
            checkpoints.maybeCheckpoint(data.log().endPosition(), this::captureCheckpoint,
                    c -> checkpointWriter.persistUnlessSuperseded(c, seen));
        }
    }

    /** Marks an entry that stored nothing as applied (state machine thread). */
    public void markApplied(long raftIndex) {
        lastAppliedIndex = Math.max(lastAppliedIndex, raftIndex);
    }

    /** The state at the current log end (state machine thread, between entries). */
    public Checkpoint captureCheckpoint() {
        StoreData d = data;
        List<Checkpoint.Topic> ts = d.topics().values().stream().sorted(Comparator.comparing(TopicQueues::name))
                .map(TopicQueues::toCheckpoint).toList();
        return new Checkpoint(lastAppliedIndex, d.log().endPosition(), producers.nextExpiryCheck(), lastTimestamp,
                ts, producers.toCheckpoint(), consumerOffsets.toCheckpoint(),
                peers.values().stream().sorted(Comparator.comparing(RecordCodec.Peer::id)).toList());
    }

    /**
     * Captures and persists a checkpoint before files the older checkpoints still name are deleted (retention,
     * topic deletion); state machine thread. See {@link CheckpointWriter} for the ordering it keeps.
     */
    void checkpointBeforeDeleting() {
        checkpointWriter.persistBeforeDeleting(captureCheckpoint());
    }

    /** The background checkpoint path (see {@link CheckpointWriter#persistUnlessSuperseded}). */
    void persistUnlessSuperseded(Checkpoint c, long syncCheckpointsAtCapture) {
        checkpointWriter.persistUnlessSuperseded(c, syncCheckpointsAtCapture);
    }

    /** How many checkpoints were written before deleting files (read at capture, state machine thread). */
    long syncCheckpoints() {
        return checkpointWriter.syncCheckpoints();
    }

    /**
     * Makes {@code c} the recovery point: flushes the log and the indexes up to it, then replaces the
     * checkpoint file. Any thread; an older checkpoint never replaces a newer one, and a failed store
     * writes none.
     */
    public void persist(Checkpoint c) {
        checkpointWriter.persist(c);
    }

    /**
     * Reads up to {@code maxMessages} messages (and about {@code maxBytes}, at least one) of a queue
     * from {@code offset}. An offset equal to the queue's end returns nothing.
     */
    public List<MessageRecord> read(String topic, int queue, long offset, int maxMessages, long maxBytes)
            throws ReadRejectedException {
        return QueueReader.read(data, topic, queue, offset, maxMessages, maxBytes);
    }

    /** Number of queues of {@code topic}, or -1 when it does not exist. Any thread. */
    public int queueCount(String topic) {
        return data.queueCount(topic);
    }

    /**
     * Log bytes between the message at {@code offset} and the end of the log: how "cold" a read from
     * there is. 0 at or past the queue's end. Any thread.
     */
    public long bytesBehindHead(String topic, int queue, long offset) {
        return data.bytesBehindHead(topic, queue, offset);
    }

    /** What the store holds: messages in all queues, log bytes, segment files. */
    public record Stats(long messages, long bytes, int segments) {
    }

    /** Any thread. */
    public Stats stats() {
        return data.stats();
    }

    /** Queues of every topic together (each holds open index files). Any thread. */
    public int totalQueues() {
        return data.totalQueues();
    }

    /** {minOffset, maxOffset} of a queue; {0, 0} when it does not exist. Any thread. */
    public long[] queueRange(String topic, int queue) {
        return data.queueRange(topic, queue);
    }

    /** The topic named {@code name}, or null. Any thread. */
    public TopicView topic(String name) {
        return data.topic(name);
    }

    /** Every topic, by name. Any thread. */
    public List<TopicView> topics() {
        return data.topics().values().stream().sorted(Comparator.comparing(TopicQueues::name))
                .map(TopicQueues::view).toList();
    }

    /** Files a snapshot of checkpoint {@code c} needs, hard-linked into {@code target} (state machine thread). */
    public List<String> linkSnapshotFiles(Checkpoint c, Path target) {
        StoreData d = data;
        return StoreSnapshotFiles.link(d.log(), d.topics(), c, config.dir(), target);
    }

    /**
     * Replaces the whole store with the snapshot in {@code snapshotDir} (state machine thread). Readers
     * keep seeing the old data until the new data is recovered, then switch at once.
     */
    public void installSnapshot(Path snapshotDir) {
        Checkpoint c = CheckpointCodec.read(snapshotDir.resolve("checkpoint"));
        synchronized (checkpointWriter) { // no checkpoint flushes the files being replaced
            StoreData old = data;
            StoreSnapshotFiles.install(snapshotDir, config.dir(), logDir, indexRoot, checkpointWriter.file());
            data = load(c.logPosition(), true);
            try {
                Files.deleteIfExists(config.dir().resolve(INSTALL_MARKER));
            } catch (IOException e) {
                throw new StoreException("cannot finish snapshot install in " + config.dir(), e);
            }
            old.close();
        }
        LOG.info("installed snapshot at raft index {} (log position {}, {} topics)", c.raftIndex(),
                c.logPosition(), c.topics().size());
    }

    @Override
    public void close() {
        StoreData d = data;
        if (d != null && failure == null && d.log().endPosition() > checkpoints.lastPosition()) {
            try {
                persist(captureCheckpoint()); // a clean stop recovers without replaying
            } catch (RuntimeException e) {
                LOG.warn("final checkpoint failed", e);
            }
        }
        checkpoints.close();
        synchronized (checkpointWriter) {
            if (d != null) {
                d.close();
            }
        }
        lock.close();
    }
}
