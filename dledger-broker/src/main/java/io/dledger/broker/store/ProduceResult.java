package io.dledger.broker.store;

/**
 * Outcome of applying one produce command. For {@link Status#OK} and {@link Status#DUPLICATE} the
 * arrays give, per message in request order, the queue and the queue offset it was stored at.
 */
public record ProduceResult(Status status, int[] queues, long[] offsets, long raftIndex, long timestamp,
                            String detail) {

    /** What happened to the command. */
    public enum Status {
        OK,
        /** Applied before under the same producer id and sequence; nothing new was stored. */
        DUPLICATE,
        TOPIC_NOT_FOUND,
        QUEUE_NOT_FOUND,
        /** The sequence is older than the producer's deduplication window: cannot tell if it is a retry. */
        SEQUENCE_TOO_OLD,
        /** The producer id and sequence were stored for another topic: not a retry; nothing stored. */
        SEQUENCE_REUSED
    }

    static ProduceResult rejected(Status status, String detail) {
        return new ProduceResult(status, new int[0], new long[0], 0, 0, detail);
    }
}
