package io.dledger.client;

/**
 * Why an operation failed, as {@link DLedgerException#code()} reports it: the broker's typed code, or one the SDK
 * derived from the call's gRPC status when the broker sent none. The README's error table says what each means;
 * {@link DLedgerException#retryable()} says whether it is transient (the SDK retries those itself, within the
 * operation's deadline: {@link #NOT_LEADER}, {@link #OUTCOME_UNKNOWN}, {@link #BUSY}, {@link #NODE_UNAVAILABLE},
 * {@link #TIMEOUT}). Each constant has the name of the wire protocol's code of the same meaning. An enum:
 * immutable, thread-safe.
 */
public enum ErrorCode {
    /** No typed code: a failure the SDK could not classify further (see {@link DLedgerException#grpcCode()}). */
    ERROR_UNSPECIFIED,
    /** The node is not the leader; {@link DLedgerException#leaderHint()} names the leader when it is known. */
    NOT_LEADER,
    /** The topic does not exist. */
    TOPIC_NOT_FOUND,
    /** The topic has no queue of that number. */
    QUEUE_NOT_FOUND,
    /** A topic name that is not 1 to 127 letters, digits, '.', '_' or '-' (or is "." or ".."). */
    INVALID_TOPIC_NAME,
    /** A produce request without messages, or a message with an empty body. */
    EMPTY_MESSAGE,
    /** A message body larger than the node's {@code message.max.bytes}. */
    MESSAGE_TOO_LARGE,
    /**
     * A produce request over the node's {@code batch.max.bytes} or {@code batch.max.messages}; also reported when
     * gRPC refused a message over its size limit unread.
     */
    BATCH_TOO_LARGE,
    /** A pull below the queue's first or past its last offset; {@link DLedgerException#storedOffsets()} has them. */
    OFFSET_OUT_OF_RANGE,
    /** The topic exists with another number of queues. */
    TOPIC_EXISTS,
    /**
     * Other invalid input (an invalid queue count, group name or member id, an oversized key, tags or properties,
     * an unknown node id, ...); the request had no effect.
     */
    INVALID_ARGUMENT,
    /** A write's outcome is unknown (leadership was lost while it was in flight). */
    OUTCOME_UNKNOWN,
    /** Too many writes waiting on the leader, or a node is being added or removed. */
    BUSY,
    /** A retried produce older than the last 256 requests the broker remembers of its producer. */
    SEQUENCE_TOO_OLD,
    /** The node cannot serve now (starting, stopping, storage failed), or no node answered. */
    NODE_UNAVAILABLE,
    /** The operation, or a node's answer to it, did not finish in time. */
    TIMEOUT,
    /** An unexpected failure (a bug); the message says what failed. */
    INTERNAL,
    /**
     * A configured limit would be exceeded (e.g. the node's total number of queues); from the SDK itself, a pull
     * whose response is too large for the client (see {@link DLedgerClient.Builder#maxInboundMessageBytes}).
     */
    LIMIT_EXCEEDED,
    /**
     * The SDK's own: the client (or its producer or consumer) was closed before the operation was sent, or while a
     * read (which changes nothing) was on its way.
     */
    CLIENT_CLOSED,
    /**
     * The leader's disk is below its {@code store.min.free.bytes}, or followers' disks are and fewer than a majority
     * of the nodes could store the write.
     */
    STORAGE_FULL,
    /**
     * The topic was deleted and created again since the consumer learned it: the offsets it pulled or committed are
     * the old topic's ({@link PullResult#topicIncarnation()}). A push consumer starts its queues over by itself. Also
     * a queue digest of a topic replaced while it was read ({@link AdminClient#queueDigests}): ask again.
     */
    TOPIC_REPLACED,
    /**
     * A group's offsets may not be reset or deleted while it has live members on the topic
     * ({@link AdminClient#resetOffsets}, {@link AdminClient#deleteGroup}): stop them, or wait until their session ends.
     */
    GROUP_ACTIVE,
    /**
     * The call carries no token, or one the node does not accept ({@link DLedgerClient.Builder#token}; the nodes'
     * {@code grpc.auth.tokens.file}). Not retried.
     */
    UNAUTHENTICATED,
    /**
     * The call's token is accepted, but its role in the nodes' {@code grpc.auth.tokens.file} ({@code read},
     * {@code write} or {@code admin}) does not allow this call; the message names the role it needs. Not retried.
     */
    PERMISSION_DENIED,
    /**
     * A push consumer's offset commit that the leader refused: it does not count the member as live (its session
     * ended, or the leader changed and the member has not heartbeat it yet), or another live member holds one of the
     * queues. Nothing was committed; the consumer commits again after its next heartbeat.
     */
    NOT_GROUP_MEMBER,
    /**
     * A node removal that would leave fewer than a majority of the remaining members answering the leader: it could
     * not commit, and the group could not elect a leader; the message names the members that are down. Nothing was
     * changed; start those members first. Not retried.
     */
    NO_LIVE_MAJORITY;

    /**
     * The SDK's constant for a code received on the wire; {@link #ERROR_UNSPECIFIED} for one from a newer broker that
     * this SDK does not know (the exception's code is then derived from the gRPC status, as for an untyped failure).
     */
    static ErrorCode of(io.dledger.proto.ErrorCode wire) {
        try {
            return valueOf(wire.name());
        } catch (IllegalArgumentException e) {
            return ERROR_UNSPECIFIED;
        }
    }
}
