package io.dledger.broker.server;

import io.dledger.proto.ErrorCode;
import io.dledger.proto.Message;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the queue of a message on the leader, before the write is proposed (so replicas never
 * choose): the queue the client named, else by hash of the key (same key, same queue), else
 * round-robin per topic. Thread-safe.
 */
final class QueueSelector {
    private final ConcurrentHashMap<String, AtomicInteger> next = new ConcurrentHashMap<>();

    int select(String topic, int queues, Message m, int index) {
        if (m.hasQueue()) {
            if (m.getQueue() >= queues) {
                throw RpcErrors.error(ErrorCode.QUEUE_NOT_FOUND, "message " + index + " names queue " + m.getQueue()
                        + " but topic '" + topic + "' has queues 0.." + (queues - 1));
            }
            return m.getQueue();
        }
        if (!m.getKey().isEmpty()) {
            return Math.floorMod(m.getKey().hashCode(), queues);
        }
        return Math.floorMod(next.computeIfAbsent(topic, t -> new AtomicInteger()).getAndIncrement(), queues);
    }
}
