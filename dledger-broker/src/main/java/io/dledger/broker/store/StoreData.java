package io.dledger.broker.store;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The open files of a store: its log and its topics' indexes. Replaced as a whole when a snapshot is
 * installed, so a reader holding one sees a consistent store.
 */
record StoreData(SegmentedLog log, ConcurrentHashMap<String, TopicQueues> topics) {

    static StoreData empty(SegmentedLog log) {
        return new StoreData(log, new ConcurrentHashMap<>());
    }

    void close() {
        topics.values().forEach(TopicQueues::close);
        log.close();
    }
}
