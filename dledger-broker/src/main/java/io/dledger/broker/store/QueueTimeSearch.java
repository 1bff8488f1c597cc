package io.dledger.broker.store;

import java.util.List;
import java.util.stream.IntStream;

/**
 * A queue's offset at a point in time: a binary search over the store times of its messages, reading one record per
 * step (about log2 of the queue's length of them, 20 for a million messages) the way a pull reads it
 * ({@link QueueReader}: CRC and index checked, through the mapping when recent). The search assumes store times do
 * not decrease along the queue; they follow the clock of the leader that took each write, so after a leader change
 * between nodes whose clocks are apart they may step back, and the offset found is then one where they cross the asked
 * time, not necessarily the first.
 *
 * <p>Retention may remove the record a step reads while the search runs (its segment deleted under it): the search
 * then goes on from the queue's new first offset. Any other failure to read is the store's and is thrown.
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
    static OffsetsAtTime search(StoreData data, String topic, long incarnation, int[] queues, long timestampMs,
                         long mappedReadBytes, PullReads reads) throws ReadRejectedException {
        TopicQueues t = QueueReader.topic(data, topic, incarnation);
        int[] asked = queues.length > 0 ? queues.clone() : IntStream.range(0, t.queueCount()).toArray();
        for (int q : asked) {
            QueueReader.checkQueue(t, q);
        }
        long[] offsets = new long[asked.length];
        for (int i = 0; i < asked.length; i++) {
            offsets[i] = offsetForTime(data.log(), t, asked[i], timestampMs, mappedReadBytes, reads);
        }
        return new OffsetsAtTime(t.incarnation(), asked, offsets);
    }

    /** The search in one queue of {@code t}, which exists. */
    static long offsetForTime(SegmentedLog log, TopicQueues t, int queue, long timestampMs, long mappedReadBytes,
                              PullReads reads) {
        QueueIndex index = t.queue(queue);
        long lo = index.minOffset(); // the answer lies in [lo, hi]
        long hi = Math.max(lo, index.nextOffset());
        int retries = 0;
        while (lo < hi) {
            long at = lo + (hi - lo) / 2;
            List<MessageRecord> read;
            try {
                read = QueueReader.read(log, t, queue, at, 1, 1, mappedReadBytes, reads);
            } catch (RuntimeException e) {
                long min = index.minOffset();
                if (at >= min || ++retries > MAX_RETENTION_RETRIES) {
                    throw e;
                }
                lo = Math.max(lo, min); // retention removed it: the answer is not below the new start
                hi = Math.max(hi, lo);
                continue;
            }
            if (read.isEmpty() || read.get(0).storeTimestamp() >= timestampMs) {
                hi = at;
            } else {
                lo = at + 1;
            }
        }
        return lo;
    }
}
