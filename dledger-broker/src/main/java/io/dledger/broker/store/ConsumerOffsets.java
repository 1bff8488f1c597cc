package io.dledger.broker.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Committed offsets of consumer groups: (group, topic) -> queue -> next offset to consume. Changed only by
 * applying OFFSETS and GROUP_DELETED records, so every replica holds the same offsets and a group resumes exactly where
 * it committed, whichever node becomes leader.
 *
 * <p>Thread-safety: the state machine thread writes (and alone reads {@link #size}); any thread may read the offsets.
 */
final class ConsumerOffsets {
    /** A group's offsets in one topic. */
    record Key(String group, String topic) {
    }

    private final ConcurrentHashMap<Key, ConcurrentHashMap<Integer, Long>> offsets = new ConcurrentHashMap<>();
    /** Queue offsets held, of all groups and topics. */
    private int size;

    void commit(String group, String topic, int[] queues, long[] values) {
        Map<Integer, Long> m = offsets.computeIfAbsent(new Key(group, topic), k -> new ConcurrentHashMap<>());
        for (int i = 0; i < queues.length; i++) {
            if (m.put(queues[i], values[i]) == null) {
                size++;
            }
        }
    }

    /** Queue offsets held, of all groups and topics. */
    int size() {
        return size;
    }

    /** How many of {@code queues} the group has no offset for yet on {@code topic}. */
    int added(String group, String topic, int[] queues) {
        Map<Integer, Long> m = offsets.get(new Key(group, topic));
        if (m == null) {
            return queues.length;
        }
        int added = 0;
        for (int q : queues) {
            if (!m.containsKey(q)) {
                added++;
            }
        }
        return added;
    }

    /** Whether the group has committed offsets on {@code topic}. */
    boolean has(String group, String topic) {
        return offsets.containsKey(new Key(group, topic));
    }

    /** Deletes the group's offsets on {@code topic}. */
    void forget(String group, String topic) {
        Map<Integer, Long> gone = offsets.remove(new Key(group, topic));
        if (gone != null) {
            size -= gone.size();
        }
    }

    /** Queue -> committed offset, sorted by queue; empty when the group never committed. */
    Map<Integer, Long> get(String group, String topic) {
        Map<Integer, Long> m = offsets.get(new Key(group, topic));
        return m == null ? Map.of() : new TreeMap<>(m);
    }

    /** Group -> the topics it committed offsets in, both sorted. */
    SortedMap<String, SortedSet<String>> groups() {
        SortedMap<String, SortedSet<String>> out = new TreeMap<>();
        offsets.keySet().forEach(k -> out.computeIfAbsent(k.group(), g -> new TreeSet<>()).add(k.topic()));
        return out;
    }

    void removeTopic(String topic) {
        offsets.entrySet().removeIf(e -> {
            if (e.getKey().topic().equals(topic)) {
                size -= e.getValue().size();
                return true;
            }
            return false;
        });
    }

    void clear() {
        offsets.clear();
        size = 0;
    }

    List<Checkpoint.GroupOffsets> toCheckpoint() {
        List<Checkpoint.GroupOffsets> out = new ArrayList<>();
        offsets.entrySet().stream()
                .sorted((a, b) -> {
                    int c = a.getKey().group().compareTo(b.getKey().group());
                    return c != 0 ? c : a.getKey().topic().compareTo(b.getKey().topic());
                })
                .forEach(e -> {
                    TreeMap<Integer, Long> sorted = new TreeMap<>(e.getValue());
                    int[] q = sorted.keySet().stream().mapToInt(Integer::intValue).toArray();
                    long[] o = sorted.values().stream().mapToLong(Long::longValue).toArray();
                    out.add(new Checkpoint.GroupOffsets(e.getKey().group(), e.getKey().topic(), q, o));
                });
        return out;
    }

    void restore(List<Checkpoint.GroupOffsets> list) {
        clear();
        for (Checkpoint.GroupOffsets g : list) {
            commit(g.group(), g.topic(), g.queues(), g.offsets());
        }
    }
}
