package io.dledger.broker.store;

/** Outcome of applying a create-topic command. */
public record TopicResult(Status status, String topic, int queues) {

    /** What happened to the command. */
    public enum Status {
        CREATED,
        /** The topic existed with the same number of queues. */
        EXISTS,
        /** The topic existed with a different number of queues; {@link #queues()} is the existing count. */
        CONFLICT,
        /** Its queues would take the cluster past the command's limit; {@link #queues()} is the cluster's total. */
        LIMIT_EXCEEDED
    }
}
