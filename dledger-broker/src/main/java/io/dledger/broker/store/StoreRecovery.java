package io.dledger.broker.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a store back to a consistent state after any stop, {@code kill -9} included:
 * <ol>
 *   <li>the checkpoint gives the state at a log position whose bytes (and index entries) are durable;</li>
 *   <li>records after it are validated; the log is cut at the first invalid record or at the start of
 *       an entry that was only partly written (a torn tail);</li>
 *   <li>the queue indexes are cut back to the checkpoint and rebuilt from the valid records after it,
 *       and topics and idempotent producers are replayed the same way.</li>
 * </ol>
 * The Raft log then replays the entries after {@link Result#lastAppliedIndex()}; entries at or below it
 * are already in the store and are skipped, so nothing is stored twice or lost.
 */
final class StoreRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(StoreRecovery.class);

    /** What recovery found. */
    record Result(long lastAppliedIndex, long lastTimestamp, long truncatedBytes, long replayedRecords) {
    }

    private StoreRecovery() {
    }

    static Result recover(SegmentedLog log, Checkpoint c, Map<String, TopicQueues> topics, ProducerTable producers,
                          ConsumerOffsets offsets, Map<String, RecordCodec.Peer> peers, Path indexRoot,
                          int entriesPerFile) {
        long from = c.logPosition();
        if (from < log.startPosition() || from > log.endPosition()) {
            throw new CorruptStoreException("checkpoint position " + from + " is outside the log ["
                    + log.startPosition() + ", " + log.endPosition() + "): the log lost data that was flushed");
        }
        long truncated = cutTornTail(log, from);

        Set<String> known = new HashSet<>();
        c.topics().forEach(t -> known.add(t.name()));
        deleteUnknownTopicDirs(indexRoot, known);
        try {
            openIndexes(log, c, topics, indexRoot, entriesPerFile);
        } catch (CorruptStoreException e) {
            LOG.warn("queue indexes do not fit the log or this node's settings ({}); rebuilding every index from "
                    + "the log", e.getMessage());
            topics.values().forEach(TopicQueues::close);
            topics.clear();
            rebuildIndexes(log, c, topics, indexRoot, entriesPerFile);
        }
        producers.restore(c.nextExpiryCheck(), c.producers());
        offsets.restore(c.groupOffsets());
        peers.clear();
        c.peers().forEach(p -> peers.put(p.id(), p));

        long lastApplied = c.raftIndex();
        long lastTimestamp = 0;
        long replayed = 0;
        LogScanner scan = new LogScanner(log, from, log.endPosition());
        long prevPid = 0;
        long prevSeq = 0;
        long prevIndex = -1;
        while (scan.next()) {
            RecordCodec.Header h = scan.header();
            replayed++;
            lastApplied = Math.max(lastApplied, h.raftIndex());
            lastTimestamp = Math.max(lastTimestamp, h.timestamp());
            if (h.type() == RecordCodec.TYPE_TOPIC_CREATED) {
                TopicRecordCodec.TopicCreated tc = TopicRecordCodec.readTopicCreated(scan.buffer(), scan.recordStart());
                topics.computeIfAbsent(tc.topic(),
                        name -> TopicQueues.create(indexRoot, entriesPerFile, name, h.raftIndex(), tc.queues()));
                continue;
            }
            if (h.type() == RecordCodec.TYPE_TOPIC_DELETED) {
                TopicQueues gone = topics.remove(TopicRecordCodec.readTopicDeleted(scan.buffer(), scan.recordStart()));
                if (gone != null) {
                    gone.delete(indexRoot);
                }
                offsets.removeTopic(TopicRecordCodec.readTopicDeleted(scan.buffer(), scan.recordStart()));
                continue;
            }
            if (h.type() == RecordCodec.TYPE_PEER) {
                RecordCodec.Peer p = PeerRecordCodec.readPeer(scan.buffer(), scan.recordStart());
                peers.put(p.id(), p);
                continue;
            }
            if (h.type() == RecordCodec.TYPE_OFFSETS) {
                OffsetsRecordCodec.Offsets o = OffsetsRecordCodec.readOffsets(scan.buffer(), scan.recordStart());
                offsets.commit(o.group(), o.topic(), o.queues(), o.offsets());
                continue;
            }
            if (h.type() == RecordCodec.TYPE_GROUP_DELETED) {
                OffsetsRecordCodec.GroupDeleted d = OffsetsRecordCodec.readGroupDeleted(scan.buffer(), scan.recordStart());
                offsets.forget(d.group(), d.topic());
                continue;
            }
            MessageRecordCodec.MessageKey k = MessageRecordCodec.readMessageKey(scan.buffer(), scan.recordStart());
            TopicQueues t = topics.get(k.topic());
            if (t == null || k.queue() < 0 || k.queue() >= t.queueCount()) {
                throw new CorruptStoreException("message at " + scan.recordPosition() + " names unknown "
                        + k.topic() + "/" + k.queue());
            }
            QueueIndex index = t.queue(k.queue());
            if (k.offset() != index.writeOffset()) {
                throw new CorruptStoreException("message at " + scan.recordPosition() + " has offset " + k.offset()
                        + " but " + k.topic() + "/" + k.queue() + " expects " + index.writeOffset());
            }
            index.append(k.offset(), scan.recordPosition(), h.length());
            boolean sameRequest = h.producerId() == prevPid && h.producerSeq() == prevSeq
                    && h.raftIndex() == prevIndex;
            if (h.producerId() != 0 && !sameRequest) {
                producers.record(h.producerId(), h.producerSeq(), scan.recordPosition(), h.timestamp());
            }
            prevPid = h.producerId();
            prevSeq = h.producerSeq();
            prevIndex = h.raftIndex();
        }
        if (scan.stopReason() != null) {
            throw new CorruptStoreException("log changed during recovery: " + scan.stopReason());
        }
        for (TopicQueues t : topics.values()) {
            for (int q = 0; q < t.queueCount(); q++) {
                t.queue(q).publish();
            }
        }
        LOG.info("store recovered: checkpoint at position {} (raft index {}), replayed {} records, "
                + "last applied raft index {}, log end {}", from, c.raftIndex(), replayed, lastApplied,
                log.endPosition());
        return new Result(lastApplied, lastTimestamp, truncated, replayed);
    }

    /** Opens the indexes as of the checkpoint and checks that each one's last entry is the right message. */
    private static void openIndexes(SegmentedLog log, Checkpoint c, Map<String, TopicQueues> topics, Path indexRoot,
                                    int entriesPerFile) {
        for (Checkpoint.Topic t : c.topics()) {
            TopicQueues tq = TopicQueues.open(indexRoot, entriesPerFile, t, c.raftIndex(), t.nextOffsets());
            topics.put(t.name(), tq);
            for (int q = 0; q < t.queues(); q++) {
                QueueIndex index = tq.queue(q);
                if (index.nextOffset() == index.minOffset()) {
                    continue;
                }
                long last = index.nextOffset() - 1;
                java.nio.ByteBuffer e = index.read(last, 1);
                long position = e.getLong();
                int size = e.getInt();
                if (position < log.startPosition() || position + size > c.logPosition()) {
                    throw new CorruptStoreException("index " + t.name() + "/" + q + "@" + last
                            + " points outside the checkpointed log");
                }
                MessageRecordCodec.MessageKey k = MessageRecordCodec.readMessageKey(log.read(position, size), 0);
                if (!k.topic().equals(t.name()) || k.queue() != q || k.offset() != last) {
                    throw new CorruptStoreException("index " + t.name() + "/" + q + "@" + last + " points at "
                            + k.topic() + "/" + k.queue() + "@" + k.offset());
                }
            }
        }
    }

    /**
     * Rebuilds every queue index from the log records below the checkpoint. Messages of a topic that was deleted
     * later in the log (a topic gone since, or an earlier topic of the same name), and messages below their queue's
     * minimum offset (retention passed them inside a segment it kept), belong to no index.
     */
    private static void rebuildIndexes(SegmentedLog log, Checkpoint c, Map<String, TopicQueues> topics,
                                       Path indexRoot, int entriesPerFile) {
        try {
            deleteRecursively(indexRoot);
        } catch (IOException e) {
            throw new StoreException("cannot delete damaged indexes in " + indexRoot, e);
        }
        for (Checkpoint.Topic t : c.topics()) {
            topics.put(t.name(), TopicQueues.open(indexRoot, entriesPerFile, t, c.raftIndex(), t.minOffsets()));
        }
        Map<String, long[]> minOffsets = new java.util.HashMap<>();
        c.topics().forEach(t -> minOffsets.put(t.name(), t.minOffsets()));
        Map<String, Long> lastDeleted = new java.util.HashMap<>();
        LogScanner deletions = new LogScanner(log, log.startPosition(), c.logPosition());
        while (deletions.next()) {
            if (deletions.header().type() == RecordCodec.TYPE_TOPIC_DELETED) {
                lastDeleted.put(TopicRecordCodec.readTopicDeleted(deletions.buffer(), deletions.recordStart()),
                        deletions.recordPosition());
            }
        }
        LogScanner scan = new LogScanner(log, log.startPosition(), c.logPosition());
        while (scan.next()) {
            if (scan.header().type() != RecordCodec.TYPE_MESSAGE) {
                continue;
            }
            MessageRecordCodec.MessageKey k = MessageRecordCodec.readMessageKey(scan.buffer(), scan.recordStart());
            if (scan.recordPosition() < lastDeleted.getOrDefault(k.topic(), Long.MIN_VALUE)) {
                continue; // a message of a topic deleted after it
            }
            long[] mins = minOffsets.get(k.topic());
            if (mins != null && k.queue() >= 0 && k.queue() < mins.length && k.offset() < mins[k.queue()]) {
                continue; // below the queue's minimum: retention let it go, its segment stays for later messages
            }
            TopicQueues t = topics.get(k.topic());
            QueueIndex index = t == null || k.queue() >= t.queueCount() ? null : t.queue(k.queue());
            if (index == null || k.offset() != index.writeOffset()) {
                throw new CorruptStoreException("cannot rebuild indexes: message at " + scan.recordPosition()
                        + " is " + k + ", which the checkpoint does not expect");
            }
            index.append(k.offset(), scan.recordPosition(), scan.header().length());
        }
        if (scan.stopReason() != null) {
            throw new CorruptStoreException("cannot rebuild indexes: the log below the checkpoint is damaged: "
                    + scan.stopReason());
        }
        for (Checkpoint.Topic t : c.topics()) {
            for (int q = 0; q < t.queues(); q++) {
                QueueIndex index = topics.get(t.name()).queue(q);
                if (index.writeOffset() != t.nextOffsets()[q]) {
                    throw new CorruptStoreException("cannot rebuild indexes: log has " + t.name() + "/" + q
                            + " up to " + index.writeOffset() + " but the checkpoint says " + t.nextOffsets()[q]);
                }
                index.publish();
            }
        }
    }

    /** Cuts the log after the last complete, valid entry; returns how many bytes were dropped. */
    private static long cutTornTail(SegmentedLog log, long from) {
        LogScanner scan = new LogScanner(log, from, log.endPosition());
        while (scan.next()) {
            // validate only
        }
        long end = log.endPosition();
        long validEnd = scan.validEnd();
        if (validEnd < end) {
            LOG.warn("log tail from position {} to {} is torn or corrupt ({}); dropping {} bytes, the Raft log "
                    + "replays what they held", validEnd, end, scan.stopReason(), end - validEnd);
            log.truncate(validEnd);
        }
        return end - validEnd;
    }

    private static void deleteUnknownTopicDirs(Path indexRoot, Set<String> known) {
        try {
            Files.createDirectories(indexRoot);
            List<Path> dirs;
            try (Stream<Path> s = Files.list(indexRoot)) {
                dirs = s.filter(p -> !known.contains(p.getFileName().toString())).toList();
            }
            for (Path d : dirs) {
                deleteRecursively(d);
            }
        } catch (IOException e) {
            throw new StoreException("cannot clean index directory " + indexRoot, e);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        FileTree.deleteRecursively(root);
    }
}
