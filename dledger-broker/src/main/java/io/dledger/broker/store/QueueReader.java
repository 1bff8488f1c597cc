package io.dledger.broker.store;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a run of messages of one queue: looks their positions up in the queue index, then takes
 * neighbouring records together as a run (records of one queue are usually close together in the log),
 * from the segment's memory mapping when it covers them and they are recent enough to be in the page cache
 * (only the wanted records copied out), else with one positional read per run; checks every record's CRC and
 * that it is the message the index promised. A read that retention or a topic's deletion overtakes (its segment or
 * index file gone under it) is refused as a read starting now would be.
 *
 * <p>Stateless; safe to call from any thread concurrently with the writer.
 */
final class QueueReader {
    /** Records closer than this are read together, the gap included. */
    static final int MAX_GAP = 8 * 1024;
    /** Upper bound on the bytes of one run (a single larger record is read whole). */
    static final int MAX_RUN = 256 * 1024;

    private QueueReader() {
    }

    /** Validates the request against the store's current topics, then reads (see {@link #checkIncarnation}). */
    static QueueRead read(StoreData data, String topic, long incarnation, int queue, long offset,
                          int maxMessages, long maxBytes, long mappedReadBytes, PullReads reads)
            throws ReadRejectedException {
        TopicQueues t = topic(data, topic, incarnation);
        checkQueue(t, queue);
        QueueIndex index = t.queue(queue);
        long min = index.minOffset();
        long max = index.nextOffset();
        if (offset < min || offset > max) {
            throw new ReadRejectedException(ReadRejectedException.Reason.OFFSET_OUT_OF_RANGE, "offset " + offset
                    + " is outside " + topic + "/" + queue + ", which holds offsets [" + min + ", " + max + ")",
                    min, max);
        }
        if (offset == max || maxMessages <= 0) {
            return new QueueRead(List.of(), t.incarnation(), min, max);
        }
        List<MessageRecord> records;
        try {
            records = read(data.log(), t, queue, offset, maxMessages, maxBytes, mappedReadBytes, reads);
        } catch (RuntimeException e) {
            throw refusedIfMovedUnder(data, t, queue, offset, e);
        }
        return new QueueRead(records, t.incarnation(), min, max);
    }

    /**
     * A read that failed because the data went while it ran (retention removed the offset's segment or index file, the
     * topic was deleted or created again) is refused as it would be now; any other failure is the store's, thrown.
     */
    static RuntimeException refusedIfMovedUnder(StoreData data, TopicQueues t, int queue, long offset,
                                                RuntimeException failure) throws ReadRejectedException {
        requireStillThere(data, t, "the read");
        QueueIndex index = t.queue(queue);
        long min = index.minOffset();
        if (offset < min) {
            throw new ReadRejectedException(ReadRejectedException.Reason.OFFSET_OUT_OF_RANGE, "offset " + offset
                    + " of " + t.name() + "/" + queue + " was removed by retention during the read; the queue holds "
                    + "offsets [" + min + ", " + index.nextOffset() + ")", min, index.nextOffset());
        }
        return failure;
    }

    /** TOPIC_NOT_FOUND or TOPIC_REPLACED when {@code t} was deleted (and created again) during {@code what}. */
    static void requireStillThere(StoreData data, TopicQueues t, String what) throws ReadRejectedException {
        TopicQueues now = data.topics().get(t.name());
        if (now == null) {
            throw new ReadRejectedException(ReadRejectedException.Reason.TOPIC_NOT_FOUND, "topic '" + t.name()
                    + "' was deleted during " + what, 0, 0);
        }
        if (now != t) {
            throw new ReadRejectedException(ReadRejectedException.Reason.TOPIC_REPLACED, "topic '" + t.name()
                    + "' was deleted and created again during " + what, 0, 0);
        }
    }

    /** Topic {@code topic} as a read of incarnation {@code incarnation} may take it (see {@link #checkIncarnation}). */
    static TopicQueues topic(StoreData data, String topic, long incarnation) throws ReadRejectedException {
        TopicQueues t = data.topics().get(topic);
        if (t == null) {
            throw new ReadRejectedException(ReadRejectedException.Reason.TOPIC_NOT_FOUND,
                    "topic '" + topic + "' does not exist", 0, 0);
        }
        checkIncarnation(t, incarnation);
        return t;
    }

    /** QUEUE_NOT_FOUND unless {@code t} has queue {@code queue}. */
    static void checkQueue(TopicQueues t, int queue) throws ReadRejectedException {
        if (queue < 0 || queue >= t.queueCount()) {
            throw new ReadRejectedException(ReadRejectedException.Reason.QUEUE_NOT_FOUND, "topic '" + t.name()
                    + "' has queues 0.." + (t.queueCount() - 1) + ", not " + queue, 0, 0);
        }
    }

    /**
     * A read of incarnation {@code incarnation} ({@code 0}: any) of topic {@code t}: refused as {@code TOPIC_REPLACED}
     * when {@code t} is a newer one (the asked one was deleted and the name created again since), and as
     * {@code TOPIC_NOT_FOUND} when {@code t} is an older one (this node has not applied the newer one's creation
     * yet: it lags). A topic whose incarnation is unknown (0) is older than one asked for past
     * {@link TopicQueues#createdAtOrBefore()}, and otherwise taken for the one asked for.
     */
    private static void checkIncarnation(TopicQueues t, long incarnation) throws ReadRejectedException {
        if (incarnation == 0 || (t.incarnation() == 0 ? incarnation <= t.createdAtOrBefore()
                : incarnation == t.incarnation())) {
            return;
        }
        if (t.replacedSince(incarnation)) {
            throw new ReadRejectedException(ReadRejectedException.Reason.TOPIC_REPLACED, t.replacedMessage(incarnation),
                    0, 0);
        }
        throw new ReadRejectedException(ReadRejectedException.Reason.TOPIC_NOT_FOUND, "topic '" + t.name()
                + "' of incarnation " + incarnation + " is not known here yet (this node has an older one)", 0, 0);
    }

    /** Reads through the segments' mappings within {@code mappedReadBytes} of the log's end (see StoreConfig). */
    static List<MessageRecord> read(SegmentedLog log, TopicQueues topic, int queue, long offset, int maxMessages,
                                    long maxBytes, long mappedReadBytes, PullReads reads) {
        ByteBuffer entries = topic.queue(queue).read(offset, maxMessages);
        int n = entries.remaining() / IndexFile.ENTRY_SIZE;
        long[] positions = new long[n];
        int[] sizes = new int[n];
        int count = 0;
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            positions[i] = entries.getLong();
            sizes[i] = entries.getInt();
            if (count > 0 && bytes + sizes[i] > maxBytes) {
                break;
            }
            if (!RecordCodec.plausibleLength(sizes[i])) {
                throw new CorruptStoreException("index of " + topic.name() + "/" + queue + "@" + (offset + i)
                        + " gives record size " + sizes[i] + " at log position " + positions[i]);
            }
            bytes += sizes[i];
            count++;
        }
        List<MessageRecord> out = new ArrayList<>(count);
        long hotFrom = log.endPosition() - mappedReadBytes; // runs starting after this are likely in the page cache
        int i = 0;
        while (i < count) {
            int j = i + 1;
            while (j < count) {
                long gap = positions[j] - (positions[j - 1] + sizes[j - 1]);
                long span = positions[j] + sizes[j] - positions[i];
                if (gap < 0 || gap > MAX_GAP || span > MAX_RUN) {
                    break;
                }
                j++;
            }
            long start = positions[i];
            int span = (int) (positions[j - 1] + sizes[j - 1] - start);
            if (start <= hotFrom || !readMapped(log, start, span, i, j, positions, sizes, topic, queue, offset, reads,
                    out)) {
                decodeRun(log.read(start, span), start, i, j, positions, sizes, topic, queue, offset, out);
                reads.positional(span);
            }
            i = j;
        }
        return out;
    }

    /**
     * Reads records {@code i} to {@code j} (exclusive), the run of {@code span} bytes at {@code start}, through the
     * segment's mapping into {@code out}: each record is copied into an array of its own ({@link MappedView#copy})
     * and checked there, its body a view of that array. False, with nothing added, when the mapping does not cover
     * them or the read failed: then the caller reads them positionally. A failure stops the mapping of that segment: an
     * {@link InternalError} is the JVM's report of a fault in mapped pages (a disk error, a file cut from outside),
     * and compiled code may report it only at its next safepoint poll, after the copy went on with zeros where the
     * fault was, so a record that fails its check here (a {@link CorruptStoreException}) may be such a fault as
     * well; a positional read decides whether the records are really damaged.
     */
    private static boolean readMapped(SegmentedLog log, long start, int span, int i, int j, long[] positions,
                                      int[] sizes, TopicQueues topic, int queue, long offset, PullReads reads,
                                      List<MessageRecord> out) {
        int before = out.size();
        long copied = 0;
        try (MappedView mapped = log.view(start, span)) {
            if (mapped == null) {
                return false;
            }
            for (int k = i; k < j; k++) { // sizes are checked, and a run's records neither overlap nor pass its end
                ByteBuffer record = ByteBuffer.wrap(mapped.copy((int) (positions[k] - start), sizes[k]));
                out.add(decode(record, 0, sizes[k], topic, queue, offset + k, positions[k]));
                copied += sizes[k];
            }
        } catch (InternalError | CorruptStoreException e) {
            out.subList(before, out.size()).clear();
            log.stopMapping(start, e);
            return false;
        }
        reads.mapped(copied); // counted only once the view is closed: a fault reported that late fails the whole run
        return true;
    }

    /**
     * Decodes records {@code i} (inclusive) to {@code j} (exclusive) of a run read positionally from log position
     * {@code start}; their bodies are views of the run's buffer.
     */
    private static void decodeRun(ByteBuffer run, long start, int i, int j, long[] positions, int[] sizes,
                                  TopicQueues topic, int queue, long offset, List<MessageRecord> out) {
        for (int k = i; k < j; k++) {
            out.add(decode(run, (int) (positions[k] - start), sizes[k], topic, queue, offset + k, positions[k]));
        }
    }

    private static MessageRecord decode(ByteBuffer run, int at, int size, TopicQueues topic, int queue, long offset,
                                        long position) {
        if (RecordCodec.validate(run, at) != size) { // invalid, or not the size the index gave
            throw new CorruptStoreException("record at log position " + position + " for " + topic.name() + "/"
                    + queue + "@" + offset + " fails validation");
        }
        MessageRecord m = MessageRecordCodec.readMessage(run, at);
        if (m.offset() != offset || m.queue() != queue || !m.topic().equals(topic.name())) {
            throw new CorruptStoreException("index of " + topic.name() + "/" + queue + "@" + offset
                    + " points at " + m.topic() + "/" + m.queue() + "@" + m.offset());
        }
        return m;
    }
}
