package io.dledger.broker.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Idempotent producers known to the store, each with its {@link ProducerWindow}. Producers idle for
 * longer than the expiry (measured in store timestamps, which the leader assigns, so every replica
 * expires the same producers at the same entry) are forgotten, as is the least recently active one
 * when more than {@code maxProducers} are known.
 *
 * <p>Not thread-safe: owned by the state machine thread.
 */
final class ProducerTable {
    static final long EXPIRY_CHECK_INTERVAL_MS = 60_000;

    private final long expiryMs;
    private final int maxProducers;
    private final Map<Long, ProducerWindow> windows = new HashMap<>();
    private long nextExpiryCheck;

    ProducerTable(long expiryMs, int maxProducers) {
        this.expiryMs = expiryMs;
        this.maxProducers = maxProducers;
    }

    ProducerWindow get(long producerId) {
        return windows.get(producerId);
    }

    /** Remembers that request {@code seq} of {@code producerId} wrote its first record at {@code position}. */
    void record(long producerId, long seq, long position, long timestamp) {
        if (timestamp >= nextExpiryCheck) {
            windows.values().removeIf(w -> w.lastTimestamp() < timestamp - expiryMs);
            nextExpiryCheck = timestamp + EXPIRY_CHECK_INTERVAL_MS;
        }
        ProducerWindow w = windows.get(producerId);
        if (w == null) {
            if (windows.size() >= maxProducers) {
                evictLeastRecent();
            }
            w = new ProducerWindow();
            windows.put(producerId, w);
        }
        w.record(seq, position, timestamp);
    }

    private void evictLeastRecent() {
        Long victim = null;
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<Long, ProducerWindow> e : windows.entrySet()) {
            long ts = e.getValue().lastTimestamp();
            if (victim == null || ts < oldest || (ts == oldest && e.getKey() < victim)) {
                oldest = ts;
                victim = e.getKey();
            }
        }
        windows.remove(victim);
    }

    int size() {
        return windows.size();
    }

    long nextExpiryCheck() {
        return nextExpiryCheck;
    }

    List<Checkpoint.Producer> toCheckpoint() {
        List<Checkpoint.Producer> out = new ArrayList<>(windows.size());
        windows.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            ProducerWindow w = e.getValue();
            long[] seqs = new long[w.size()];
            long[] positions = new long[w.size()];
            for (int i = 0; i < w.size(); i++) {
                seqs[i] = w.seqAt(i);
                positions[i] = w.positionAt(i);
            }
            out.add(new Checkpoint.Producer(e.getKey(), w.lastTimestamp(), w.evictedMax(), seqs, positions));
        });
        return out;
    }

    void restore(long nextExpiryCheck, List<Checkpoint.Producer> producers) {
        windows.clear();
        this.nextExpiryCheck = nextExpiryCheck;
        for (Checkpoint.Producer p : producers) {
            windows.put(p.producerId(), ProducerWindow.restore(p.lastTimestamp(), p.evictedMax(), p.seqs(),
                    p.positions()));
        }
    }
}
