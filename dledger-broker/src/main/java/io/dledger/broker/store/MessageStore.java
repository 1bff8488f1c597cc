package io.dledger.broker.store;

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
 * filled again from the Raft snapshot). {@link StoreLoader} loads the data, {@link StoreCheckpoints}
 * decides when checkpoints are written.
 *
 * <p>Thread-safety: the state machine thread is the only writer (through {@link #writer()}, snapshot
 * capture and install); reads ({@link #read}, {@link #topic}, {@link #topics}) may run on any thread and
 * see every entry whose commit completed before they started. After any write failure the store is
 * {@linkplain #failure() failed}: it writes no more checkpoints, so a restart recovers from what is on
 * disk.
 */
public final class MessageStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MessageStore.class);

    private final StoreConfig config;
    private final StoreLock lock;
    private final ProducerTable producers;
    private final ConsumerOffsets consumerOffsets = new ConsumerOffsets();
    private final ConcurrentHashMap<String, RecordCodec.Peer> peers = new ConcurrentHashMap<>();
    private final PullReads pullReads = new PullReads();
    private final StoreCheckpoints checkpoints;
    private final StoreLoader loader;
    private final EntryWriter writer;
    private volatile StoreData data;
    private volatile long lastAppliedIndex;
    private volatile long lastTimestamp;
    private volatile String failure;
    private volatile QueueListener publishListener;

    private MessageStore(StoreConfig config) {
        this.config = config;
        Path indexRoot = config.dir().resolve("index");
        Path checkpointFile = config.dir().resolve("checkpoint");
        this.lock = StoreLock.acquire(config.dir());
        this.producers = new ProducerTable(config.producerExpiryMs(), config.maxProducers());
        this.checkpoints = new StoreCheckpoints(config, checkpointFile, () -> data, () -> failure,
                this::captureCheckpoint);
        this.loader = new StoreLoader(config, config.dir().resolve("log"), indexRoot, checkpointFile, producers,
                consumerOffsets, peers);
        this.writer = new EntryWriter(this,
                new TopicLifecycle(() -> data, indexRoot, config.indexEntriesPerFile(), checkpoints));
    }

    /** Opens (and recovers) the store in {@code config.dir()}, creating it when empty. */
    public static MessageStore open(StoreConfig config) {
        MessageStore store = new MessageStore(config);
        try {
            store.loader.removeCheckpointLeftovers();
            store.data = store.adopt(store.loader.load(null, false));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /** Takes over what a load found: the last applied Raft index and timestamp, and its checkpoint as the newest. */
    private StoreData adopt(StoreLoader.Loaded loaded) {
        Checkpoint c = loaded.checkpoint();
        StoreRecovery.Result r = loaded.recovery();
        lastAppliedIndex = r.lastAppliedIndex();
        lastTimestamp = Math.max(lastTimestamp, Math.max(c.lastTimestamp(), r.lastTimestamp()));
        checkpoints.loaded(c);
        return loaded.data();
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

    /** Every segment, oldest first (any thread; reads one record header per segment). */
    public List<SegmentInfo> segmentInfos() {
        return StoreRetention.segmentInfos(data.log());
    }

    /** Called by the writer when entry {@code raftIndex} is complete. */
    void applied(long raftIndex, long timestamp, boolean wroteRecords) {
        lastAppliedIndex = raftIndex;
        lastTimestamp = Math.max(lastTimestamp, timestamp);
        if (wroteRecords && failure == null) {
            checkpoints.entryWritten(data.log().endPosition());
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

    /** When checkpoints are written; retention writes one through it before deleting files. */
    StoreCheckpoints checkpoints() {
        return checkpoints;
    }

    /**
     * Makes {@code c} the recovery point: flushes the log and the indexes up to it, then replaces the
     * checkpoint file. Any thread; an older checkpoint never replaces a newer one, and a failed store
     * writes none.
     *
     * @return {@code false} when the store has failed (nothing written), else {@code true}
     */
    public boolean persist(Checkpoint c) {
        return checkpoints.persist(c);
    }

    /**
     * Reads up to {@code maxMessages} messages (and about {@code maxBytes}, at least one) of a queue
     * from {@code offset}; an offset equal to the queue's end returns nothing. Reads incarnation {@code incarnation}
     * of the topic ({@code 0}: any): a newer topic of that name is refused as {@code TOPIC_REPLACED}, an older one as
     * {@code TOPIC_NOT_FOUND}.
     */
    public QueueRead read(String topic, long incarnation, int queue, long offset, int maxMessages, long maxBytes)
            throws ReadRejectedException {
        try {
            return QueueReader.read(data, topic, incarnation, queue, offset, maxMessages, maxBytes,
                    config.mappedReadBytes(), pullReads);
        } catch (InternalError e) { // a fault in a mapped page that the JVM reported after QueueReader's own checks
            throw new StoreException("reading " + topic + "/" + queue + "@" + offset + " faulted: " + e.getMessage(),
                    e);
        }
    }

    /**
     * Per queue of {@code queues} (none: every queue of the topic), the first offset whose message was stored at or
     * after {@code timestampMs}, by a binary search over store times ({@link QueueTimeSearch}); refused like a
     * {@link #read} of the topic's incarnation {@code incarnation}. Any thread.
     */
    public OffsetsAtTime offsetsForTime(String topic, long incarnation, int[] queues, long timestampMs)
            throws ReadRejectedException {
        return QueueTimeSearch.search(data, topic, incarnation, queues, timestampMs);
    }

    /** Bytes pulls have read, through mappings and positionally. Any thread. */
    public PullReads pullReads() {
        return pullReads;
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

    /**
     * A topic whose name equals {@code name} ignoring letter case but not exactly, or null: topic names must differ in
     * more than case (a topic's files are named after it). Any thread.
     */
    public TopicView caseVariantOf(String name) {
        for (TopicQueues t : data.topics().values()) {
            if (t.name().equalsIgnoreCase(name) && !t.name().equals(name)) {
                return t.view();
            }
        }
        return null;
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

    /** Makes the names of the snapshot files linked into {@code target} durable (any thread; a sync per directory). */
    public void syncSnapshotFiles(Path target) {
        StoreSnapshotFiles.syncNames(target);
    }

    /**
     * Replaces the whole store with the snapshot in {@code snapshotDir} (state machine thread). Readers
     * keep seeing the old data until the new data is recovered, then switch at once.
     */
    public void installSnapshot(Path snapshotDir) {
        Checkpoint c = CheckpointCodec.read(snapshotDir.resolve("checkpoint"));
        checkpoints.withoutCheckpoints(() -> { // no checkpoint flushes the files being replaced
            StoreData old = data;
            loader.installFiles(snapshotDir);
            data = adopt(loader.load(c.logPosition(), true));
            loader.finishInstall();
            old.close();
        });
        LOG.info("installed snapshot at raft index {} (log position {}, {} topics)", c.raftIndex(),
                c.logPosition(), c.topics().size());
    }

    @Override
    public void close() {
        StoreData d = data;
        if (d != null && failure == null) {
            checkpoints.finalCheckpoint(d.log().endPosition());
        }
        checkpoints.close();
        checkpoints.withoutCheckpoints(() -> {
            if (d != null) {
                d.close();
            }
        });
        lock.close();
    }
}
