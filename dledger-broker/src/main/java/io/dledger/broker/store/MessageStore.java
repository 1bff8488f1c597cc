package io.dledger.broker.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's message store: a segmented append-only log of records ({@link RecordCodec}), one index
 * per queue ({@link QueueIndex}) and a checkpoint of derived state ({@link Checkpoint}).
 *
 * <p>Layout of the store directory: {@code LOCK}, {@code log/<position>.log},
 * {@code index/<topic>/<queue>/<offset>.idx}, {@code checkpoint}.
 *
 * <p>Thread-safety: the state machine thread is the only writer (through {@link #writer()}, snapshot
 * capture and install); reads ({@link #read}, {@link #topic}, {@link #topics}) may run on any thread and
 * see every entry whose commit completed before they started. Checkpoints are written in the
 * background.
 */
public final class MessageStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MessageStore.class);

    private final StoreConfig config;
    private final Path logDir;
    private final Path indexRoot;
    private final Path checkpointFile;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ConcurrentHashMap<String, TopicQueues> topics = new ConcurrentHashMap<>();
    private final ProducerTable producers;
    private final EntryWriter writer = new EntryWriter(this);
    private final ExecutorService checkpointer;
    private final AtomicBoolean checkpointRunning = new AtomicBoolean();
    private final Object persistLock = new Object();
    private volatile SegmentedLog log;
    private volatile long lastAppliedIndex;
    private long persistedRaftIndex = -1;
    private long lastCheckpointPosition;
    private long lastCheckpointNanos = System.nanoTime();

    private MessageStore(StoreConfig config) {
        this.config = config;
        this.logDir = config.dir().resolve("log");
        this.indexRoot = config.dir().resolve("index");
        this.checkpointFile = config.dir().resolve("checkpoint");
        this.producers = new ProducerTable(config.producerExpiryMs(), config.maxProducers());
        try {
            Files.createDirectories(config.dir());
            lockChannel = FileChannel.open(config.dir().resolve("LOCK"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            lock = tryLock(lockChannel);
        } catch (IOException e) {
            throw new StoreException("cannot lock store directory " + config.dir(), e);
        }
        if (lock == null) {
            try {
                lockChannel.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new StoreException("store directory " + config.dir() + " is in use by another process");
        }
        checkpointer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "store-checkpoint");
            t.setDaemon(true);
            return t;
        });
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null; // held by this JVM
        }
    }

    /** Opens (and recovers) the store in {@code config.dir()}, creating it when empty. */
    public static MessageStore open(StoreConfig config) {
        MessageStore store = new MessageStore(config);
        try {
            store.load(null);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void load(Long truncateLogTo) {
        SegmentedLog l = SegmentedLog.open(logDir, config.segmentBytes());
        Checkpoint c = Files.exists(checkpointFile) ? CheckpointCodec.read(checkpointFile)
                : Checkpoint.empty(l.startPosition());
        if (truncateLogTo != null && l.endPosition() > truncateLogTo) {
            l.truncate(truncateLogTo);
        }
        StoreRecovery.Result r = StoreRecovery.recover(l, c, topics, producers, indexRoot,
                config.indexEntriesPerFile());
        log = l;
        lastAppliedIndex = r.lastAppliedIndex();
        persistedRaftIndex = c.raftIndex();
        lastCheckpointPosition = c.logPosition();
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

    public long logEndPosition() {
        return log.endPosition();
    }

    SegmentedLog log() {
        return log;
    }

    TopicQueues topicQueues(String name) {
        return topics.get(name);
    }

    ProducerTable producers() {
        return producers;
    }

    void addTopic(String name, int queues) {
        topics.put(name, TopicQueues.create(indexRoot, config.indexEntriesPerFile(), name, queues));
    }

    /** Called by the writer when entry {@code raftIndex} is complete. */
    void applied(long raftIndex, boolean wroteRecords) {
        lastAppliedIndex = raftIndex;
        if (!wroteRecords) {
            return;
        }
        long end = log.endPosition();
        boolean due = end - lastCheckpointPosition >= config.checkpointIntervalBytes()
                || System.nanoTime() - lastCheckpointNanos >= TimeUnit.MILLISECONDS.toNanos(config.checkpointIntervalMs());
        if (due && checkpointRunning.compareAndSet(false, true)) {
            Checkpoint c = captureCheckpoint();
            lastCheckpointPosition = end;
            lastCheckpointNanos = System.nanoTime();
            checkpointer.execute(() -> {
                try {
                    persist(c);
                } catch (RuntimeException e) {
                    LOG.error("background checkpoint failed; recovery will replay more of the log", e);
                } finally {
                    checkpointRunning.set(false);
                }
            });
        }
    }

    /** Marks an entry that stored nothing as applied (state machine thread). */
    public void markApplied(long raftIndex) {
        lastAppliedIndex = Math.max(lastAppliedIndex, raftIndex);
    }

    /** The state at the current log end (state machine thread, between entries). */
    public Checkpoint captureCheckpoint() {
        List<Checkpoint.Topic> ts = topics.values().stream().sorted(Comparator.comparing(TopicQueues::name))
                .map(TopicQueues::toCheckpoint).toList();
        return new Checkpoint(lastAppliedIndex, log.endPosition(), producers.nextExpiryCheck(), ts,
                producers.toCheckpoint());
    }

    /**
     * Makes {@code c} the recovery point: flushes the log and the indexes up to it, then replaces the
     * checkpoint file. Any thread; an older checkpoint never replaces a newer one.
     */
    public void persist(Checkpoint c) {
        synchronized (persistLock) {
            if (c.raftIndex() < persistedRaftIndex) {
                return;
            }
            log.flush(c.logPosition());
            for (TopicQueues t : topics.values()) {
                t.flush();
            }
            CheckpointCodec.write(checkpointFile, c);
            persistedRaftIndex = c.raftIndex();
        }
    }

    /**
     * Reads up to {@code maxMessages} messages (and about {@code maxBytes}, at least one) of a queue
     * from {@code offset}. An offset equal to the queue's end returns nothing.
     */
    public List<MessageRecord> read(String topic, int queue, long offset, int maxMessages, long maxBytes)
            throws ReadRejectedException {
        TopicQueues t = topics.get(topic);
        if (t == null) {
            throw new ReadRejectedException(ReadRejectedException.Reason.TOPIC_NOT_FOUND,
                    "topic '" + topic + "' does not exist", 0, 0);
        }
        if (queue < 0 || queue >= t.queueCount()) {
            throw new ReadRejectedException(ReadRejectedException.Reason.QUEUE_NOT_FOUND, "topic '" + topic
                    + "' has queues 0.." + (t.queueCount() - 1) + ", not " + queue, 0, 0);
        }
        QueueIndex index = t.queue(queue);
        long min = index.minOffset();
        long max = index.nextOffset();
        if (offset < min || offset > max) {
            throw new ReadRejectedException(ReadRejectedException.Reason.OFFSET_OUT_OF_RANGE, "offset " + offset
                    + " is outside [" + min + ", " + max + "] of " + topic + "/" + queue, min, max);
        }
        if (offset == max || maxMessages <= 0) {
            return List.of();
        }
        return QueueReader.read(log, t, queue, offset, maxMessages, maxBytes);
    }

    /** Rebuilds the answer to a retried produce from the records it wrote (state machine thread). */
    ProduceResult reconstructDuplicate(long producerId, long seq, long position) {
        List<Integer> queues = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        long raftIndex = 0;
        long timestamp = 0;
        SegmentedLog l = log;
        long at = position;
        while (at < l.endPosition() && at >= l.startPosition()) {
            ByteBuffer head = l.read(at, RecordCodec.HEADER_SIZE);
            RecordCodec.Header h = RecordCodec.readHeader(head, 0);
            if (h.type() != RecordCodec.TYPE_MESSAGE || h.producerId() != producerId || h.producerSeq() != seq
                    || (raftIndex != 0 && h.raftIndex() != raftIndex)) {
                break;
            }
            RecordCodec.MessageKey k = RecordCodec.readMessageKey(l.read(at, h.length()), 0);
            queues.add(k.queue());
            offsets.add(k.offset());
            raftIndex = h.raftIndex();
            timestamp = h.timestamp();
            at += h.length();
        }
        return new ProduceResult(ProduceResult.Status.DUPLICATE, queues.stream().mapToInt(Integer::intValue).toArray(),
                offsets.stream().mapToLong(Long::longValue).toArray(), raftIndex, timestamp, "");
    }

    /** Number of queues of {@code topic}, or -1 when it does not exist. Any thread. */
    public int queueCount(String topic) {
        TopicQueues t = topics.get(topic);
        return t == null ? -1 : t.queueCount();
    }

    /** {minOffset, maxOffset} of a queue; {0, 0} when it does not exist. Any thread. */
    public long[] queueRange(String topic, int queue) {
        TopicQueues t = topics.get(topic);
        if (t == null || queue < 0 || queue >= t.queueCount()) {
            return new long[] {0, 0};
        }
        return new long[] {t.queue(queue).minOffset(), t.queue(queue).nextOffset()};
    }

    public TopicView topic(String name) {
        TopicQueues t = topics.get(name);
        return t == null ? null : view(t);
    }

    public List<TopicView> topics() {
        return topics.values().stream().sorted(Comparator.comparing(TopicQueues::name)).map(MessageStore::view)
                .toList();
    }

    private static TopicView view(TopicQueues t) {
        long[] min = new long[t.queueCount()];
        long[] max = new long[t.queueCount()];
        for (int q = 0; q < min.length; q++) {
            max[q] = t.queue(q).nextOffset();
            min[q] = t.queue(q).minOffset();
        }
        return new TopicView(t.name(), min, max);
    }

    /** Files a snapshot of checkpoint {@code c} needs, hard-linked into {@code target} (state machine thread). */
    public List<String> linkSnapshotFiles(Checkpoint c, Path target) {
        return StoreSnapshotFiles.link(log, topics, c, config.dir(), target);
    }

    /**
     * Replaces the whole store with the snapshot in {@code snapshotDir} (state machine thread). Readers
     * racing with the swap may fail and retry.
     */
    public void installSnapshot(Path snapshotDir) {
        Checkpoint c = CheckpointCodec.read(snapshotDir.resolve("checkpoint"));
        synchronized (persistLock) {
            closeData();
            StoreSnapshotFiles.install(snapshotDir, config.dir(), logDir, indexRoot, checkpointFile);
            load(c.logPosition());
        }
        LOG.info("installed snapshot at raft index {} (log position {}, {} topics)", c.raftIndex(),
                c.logPosition(), c.topics().size());
    }

    private void closeData() {
        topics.values().forEach(TopicQueues::close);
        topics.clear();
        if (log != null) {
            log.close();
        }
    }

    @Override
    public void close() {
        if (log != null && log.endPosition() > lastCheckpointPosition) {
            try {
                persist(captureCheckpoint()); // a clean stop recovers without replaying
            } catch (RuntimeException e) {
                LOG.warn("final checkpoint failed", e);
            }
        }
        checkpointer.shutdown();
        try {
            checkpointer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (persistLock) {
            closeData();
        }
        try {
            if (lock != null) {
                lock.release();
            }
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("cannot release store lock", e);
        }
    }
}
