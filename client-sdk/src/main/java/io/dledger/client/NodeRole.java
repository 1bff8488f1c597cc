package io.dledger.client;

/** A node's role in the Raft group, as {@link NodeView#role()} reports it. An enum: immutable, thread-safe. */
public enum NodeRole {
    /** Leads the group: takes writes and serves reads. */
    LEADER,
    /** Replicates the leader's log; serves reads when caught up. */
    FOLLOWER,
    /** Asking for votes (an election is running), or a leader not yet ready to serve. */
    CANDIDATE,
    /** Replicates without a vote. */
    LEARNER,
    /** Starting, stopping, or stopped by an error (see {@link NodeView#error()}). */
    INACTIVE,
    /** Did not answer the client. */
    UNREACHABLE,
    /** A role this SDK does not know (a newer broker), or none reported. */
    UNKNOWN;

    /** The SDK's constant for a role received on the wire. */
    static NodeRole of(io.dledger.proto.Role wire) {
        return switch (wire) {
            case LEADER -> LEADER;
            case FOLLOWER -> FOLLOWER;
            case CANDIDATE -> CANDIDATE;
            case LEARNER -> LEARNER;
            case INACTIVE -> INACTIVE;
            case UNREACHABLE -> UNREACHABLE;
            default -> UNKNOWN;
        };
    }
}
