package io.dledger.broker.store;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open files of a store: its log and its topics' indexes. Replaced as a whole when a snapshot is
 * installed, so a reader holding one sees a consistent store; the queries below answer from one such whole.
 *
 * <p>Thread-safety: the queries run on any thread; the state machine thread alone adds and removes topics.
 */
record StoreData(SegmentedLog log, ConcurrentHashMap<String, TopicQueues> topics) {

    static StoreData empty(SegmentedLog log) {
        return new StoreData(log, new ConcurrentHashMap<>());
    }

    /** Number of queues of {@code topic}, or -1 when it does not exist. */
    int queueCount(String topic) {
        TopicQueues t = topics.get(topic);
        return t == null ? -1 : t.queueCount();
    }

    /** Log bytes between the message at {@code offset} and the log's end; 0 when there is no such message. */
    long bytesBehindHead(String topic, int queue, long offset) {
        TopicQueues t = topics.get(topic);
        if (t == null || queue < 0 || queue >= t.queueCount()) {
            return 0;
        }
        QueueIndex index = t.queue(queue);
        if (offset < index.minOffset() || offset >= index.nextOffset()) {
            return 0;
        }
        ByteBuffer e = index.read(offset, 1);
        return e.remaining() < IndexFile.ENTRY_SIZE ? 0 : Math.max(0, log.endPosition() - e.getLong(0));
    }

    MessageStore.Stats stats() {
        long messages = 0;
        for (TopicQueues t : topics.values()) {
            for (int q = 0; q < t.queueCount(); q++) {
                messages += t.queue(q).nextOffset() - t.queue(q).minOffset();
            }
        }
        return new MessageStore.Stats(messages, log.endPosition() - log.startPosition(), log.segments().size());
    }

    int totalQueues() {
        return topics.values().stream().mapToInt(TopicQueues::queueCount).sum();
    }

    /** {minOffset, nextOffset} of a queue; {0, 0} when it does not exist. */
    long[] queueRange(String topic, int queue) {
        TopicQueues t = topics.get(topic);
        if (t == null || queue < 0 || queue >= t.queueCount()) {
            return new long[] {0, 0};
        }
        return new long[] {t.queue(queue).minOffset(), t.queue(queue).nextOffset()};
    }

    TopicView topic(String name) {
        TopicQueues t = topics.get(name);
        return t == null ? null : t.view();
    }

    void close() {
        topics.values().forEach(TopicQueues::close);
        log.close();
    }
}
