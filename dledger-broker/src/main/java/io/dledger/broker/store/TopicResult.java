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
        LIMIT_EXCEEDED,
        /**
         * A topic whose name differs only in letter case exists; {@link #topic()} is its name and {@link #queues()}
         * its queue count.
         */
        CASE_VARIANT_EXISTS
    }
}
