package io.dledger.broker.store;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The idempotent produce requests (producer id not 0) of the Raft entry being applied. A request seen before is
 * not stored again: one applied earlier in the same entry gets the same answer again, one still in its producer's
 * {@link ProducerWindow} gets the answer its records give ({@link DuplicateAnswer}), one older than the window is
 * refused. The new requests the entry stores go into the {@link ProducerTable}, with their first record's log
 * position, only once the entry's records are written, in apply order.
 *
 * <p>Not thread-safe: used by the state machine thread only, through {@link EntryWriter}.
 */
final class IdempotentRequests {
    private final Map<ProducerRequest, Applied> appliedInEntry = new HashMap<>();
    /** Idempotent requests this entry stores, in apply order, with their first record's position. */
    private final Map<ProducerRequest, Long> producerFirstPositions = new LinkedHashMap<>();

    private record ProducerRequest(long producerId, long sequence) {
    }

    /** A request applied earlier in this entry: its topic and its answer. */
    private record Applied(String topic, ProduceResult result) {
    }

    /**
     * The answer to request {@code seq} of producer {@code pid} to {@code topic} when the store has seen it
     * ({@link ProduceResult.Status#DUPLICATE}), can no longer tell ({@link ProduceResult.Status#SEQUENCE_TOO_OLD}) or
     * stored that request for another topic ({@link ProduceResult.Status#SEQUENCE_REUSED}: not a retry, and its
     * answer is not this caller's to see); null when it is new. {@code producers} and {@code log} are the store's.
     */
    ProduceResult earlierAnswer(long pid, long seq, String topic, ProducerTable producers, SegmentedLog log) {
        Applied earlier = appliedInEntry.isEmpty() ? null : appliedInEntry.get(new ProducerRequest(pid, seq));
        if (earlier != null) {
            return earlier.topic().equals(topic) ? asDuplicate(earlier.result()) : reused(pid, seq);
        }
        ProducerWindow window = producers.get(pid);
        if (window != null) {
            long position = window.positionOf(seq);
            if (position >= 0) {
                ProduceResult answer = DuplicateAnswer.rebuild(log, pid, seq, position, topic);
                return answer != null ? answer : reused(pid, seq);
            }
            if (window.tooOld(seq)) {
                return ProduceResult.rejected(ProduceResult.Status.SEQUENCE_TOO_OLD, "sequence " + seq
                        + " of producer " + Long.toUnsignedString(pid) + " is older than its window");
            }
        }
        return null;
    }

    /**
     * This entry stores request {@code seq} of {@code pid} to {@code topic}, whose first record is at log
     * {@code firstPosition}.
     */
    void stored(long pid, long seq, String topic, ProduceResult result, long firstPosition) {
        ProducerRequest request = new ProducerRequest(pid, seq);
        appliedInEntry.put(request, new Applied(topic, result));
        producerFirstPositions.put(request, firstPosition);
    }

    /** Records the requests the entry stored in {@code producers}, once its records are written. */
    void recordInto(ProducerTable producers, long timestamp) {
        producerFirstPositions.forEach((r, pos) -> producers.record(r.producerId(), r.sequence(), pos, timestamp));
    }

    /** Forgets the entry's requests, for the next entry. */
    void clear() {
        appliedInEntry.clear();
        producerFirstPositions.clear();
    }

    private static ProduceResult reused(long pid, long seq) {
        return ProduceResult.rejected(ProduceResult.Status.SEQUENCE_REUSED, "sequence " + seq + " of producer "
                + Long.toUnsignedString(pid) + " was stored for another topic: not a retry of this request, and "
                + "nothing was stored (use a producer id in one producer only)");
    }

    private static ProduceResult asDuplicate(ProduceResult r) {
        return new ProduceResult(ProduceResult.Status.DUPLICATE, r.queues(), r.offsets(), r.raftIndex(),
                r.timestamp(), "");
    }
}
