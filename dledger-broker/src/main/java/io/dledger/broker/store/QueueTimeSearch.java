package io.dledger.broker.store;

import java.nio.ByteBuffer;
import java.util.stream.IntStream;

/**
 * A queue's offset at a point in time: a binary search over the store times of its messages, one record header read
 * per step (about log2 of the queue's length of them, 20 for a million messages), whatever the messages' sizes. Each
 * header is checked against the index entry that points at it (magic, a MESSAGE record, the size the index gives); its
 * CRC covers the whole record and is checked when the message is read. The search assumes store times do not
 * decrease along the queue; they follow the clock of the leader that took each write, so after a leader change between
 * nodes whose clocks are apart they may step back, and the offset found is then one where they cross the asked time,
 * not necessarily the first.
 *
 * <p>Retention may remove the record a step reads while the search runs (its segment deleted under it): the search
 * then goes on from the queue's new first offset, and an answer below it is raised to it. A topic deleted, or deleted
 * and created again, during the search is refused as a read of it would be; any other failure to read is the store's
 * and is thrown.
 *
 * <p>Stateless; any thread, concurrently with the writer.
 */
final class QueueTimeSearch {
    /** Steps retried after retention moved a queue's start under them, before a failure counts as the store's. */
    static final int MAX_RETENTION_RETRIES = 8;

    private QueueTimeSearch() {
    }

    /**
     * Per queue of {@code queues} (none: every queue of the topic, in order), the first offset whose message was stored
     * at or after {@code timestampMs}: the queue's end when none was, its first kept offset when all were. Refused like
     * a read of the topic ({@link QueueReader#topic}, {@link QueueReader#checkQueue}).
     */
    static OffsetsAtTime search(StoreData data, String topic, long incarnation, int[] queues, long timestampMs)
            throws ReadRejectedException {
        TopicQueues t = QueueReader.topic(data, topic, incarnation);
        int[] asked = queues.length > 0 ? queues.clone() : IntStream.range(0, t.queueCount()).toArray();
        for (int q : asked) {
            QueueReader.checkQueue(t, q);
        }
        long[] offsets = new long[asked.length];
        for (int i = 0; i < asked.length; i++) {
            try {
                offsets[i] = offsetForTime(data.log(), t, asked[i], timestampMs);
            } catch (RuntimeException e) {
                QueueReader.requireStillThere(data, t, "the search");
                throw e;
            }
        }
        return new OffsetsAtTime(t.incarnation(), asked, offsets);
    }

    /** The search in one queue of {@code t}, which exists. */
    static long offsetForTime(SegmentedLog log, TopicQueues t, int queue, long timestampMs) {
        QueueIndex index = t.queue(queue);
        long lo = index.minOffset(); // the answer lies in [lo, hi]
        long hi = Math.max(lo, index.nextOffset());
        int retries = 0;
        while (lo < hi) {
            long at = lo + (hi - lo) / 2;
            long stored;
            try {
                stored = storeTime(log, t, queue, index, at);
            } catch (RuntimeException e) {
                long min = index.minOffset();
                if (at >= min || ++retries > MAX_RETENTION_RETRIES) {
                    throw e;
                }
                lo = Math.max(lo, min); // retention removed it: the answer is not below the new start
                hi = Math.max(hi, lo);
                continue;
            }
            if (stored >= timestampMs) {
                hi = at;
            } else {
                lo = at + 1;
            }
        }
        return Math.max(lo, index.minOffset());
    }

    /** The store time of the message at {@code offset}, from its record's header. */
    private static long storeTime(SegmentedLog log, TopicQueues t, int queue, QueueIndex index, long offset) {
        ByteBuffer entry = index.read(offset, 1);
        if (entry.remaining() < IndexFile.ENTRY_SIZE) {
            throw new CorruptStoreException("index of " + t.name() + "/" + queue + " has no entry at " + offset);
        }
        long position = entry.getLong();
        int size = entry.getInt();
        ByteBuffer header = log.read(position, RecordCodec.HEADER_SIZE);
        if (header.remaining() < RecordCodec.HEADER_SIZE || header.getInt(RecordCodec.LENGTH_POS) != size
                || header.get(RecordCodec.MAGIC_POS) != RecordCodec.MAGIC
                || header.get(RecordCodec.TYPE_POS) != RecordCodec.TYPE_MESSAGE) {
            throw new CorruptStoreException("index of " + t.name() + "/" + queue + "@" + offset + " points at log "
                    + "position " + position + ", which holds no message record of " + size + " bytes");
        }
        return header.getLong(RecordCodec.TIMESTAMP_POS);
    }
}
