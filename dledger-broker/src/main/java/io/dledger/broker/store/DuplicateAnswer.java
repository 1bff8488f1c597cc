package io.dledger.broker.store;

import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds the answer to a retried idempotent produce (same producer id and sequence) from the records the original
 * request wrote, so a retry gets the queues and offsets the first attempt got, on any replica and after a restart.
 *
 * <p>Thread-safety: stateless; reads the log below its end, as any reader may.
 */
final class DuplicateAnswer {
    private DuplicateAnswer() {
    }

    /**
     * The answer to a retry of the produce of {@code producerId}'s request {@code seq} to {@code topic}, whose first
     * record is at {@code position}: the queues and offsets of the records that request wrote (consecutive, from one
     * Raft entry), that entry's Raft index and timestamp, with status {@link ProduceResult.Status#DUPLICATE}; null
     * when that request wrote to another topic (no retry of this one); {@link ProduceResult.Status#SEQUENCE_TOO_OLD}
     * when its records are gone (retention), so which topic it wrote to can no longer be told.
     */
    static ProduceResult rebuild(SegmentedLog log, long producerId, long seq, long position, String topic) {
        List<Integer> queues = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        long originalIndex = 0;
        long originalTimestamp = 0;
        long at = position;
        while (at < log.endPosition() && at >= log.startPosition()) {
            RecordCodec.Header h = RecordCodec.readHeader(log.read(at, RecordCodec.HEADER_SIZE), 0);
            if (h.type() != RecordCodec.TYPE_MESSAGE || h.producerId() != producerId || h.producerSeq() != seq
                    || (originalIndex != 0 && h.raftIndex() != originalIndex)) {
                break;
            }
            MessageRecordCodec.MessageKey k = MessageRecordCodec.readMessageKey(log.read(at, h.length()), 0);
            if (!k.topic().equals(topic)) {
                return null;
            }
            queues.add(k.queue());
            offsets.add(k.offset());
            originalIndex = h.raftIndex();
            originalTimestamp = h.timestamp();
            at += h.length();
        }
        if (queues.isEmpty()) {
            return ProduceResult.rejected(ProduceResult.Status.SEQUENCE_TOO_OLD, "sequence " + seq + " of producer "
                    + Long.toUnsignedString(producerId) + " was stored in records since removed: whether this is a "
                    + "retry can no longer be told");
        }
        return new ProduceResult(ProduceResult.Status.DUPLICATE, queues.stream().mapToInt(Integer::intValue).toArray(),
                offsets.stream().mapToLong(Long::longValue).toArray(), originalIndex, originalTimestamp, "");
    }
}
