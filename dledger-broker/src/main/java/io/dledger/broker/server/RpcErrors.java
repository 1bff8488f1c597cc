package io.dledger.broker.server;

import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.raft.RaftNode;
import io.dledger.broker.statemachine.ProposalException;
import io.dledger.broker.store.OffsetsResult;
import io.dledger.broker.store.ReadRejectedException;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.ErrorDetail;
import io.dledger.proto.NodeRef;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;

/**
 * How a typed {@link ErrorCode} travels to the client: a gRPC status of the matching kind with a
 * readable description, plus the {@link ErrorDetail} in the binary trailer {@link #DETAIL_KEY} (the
 * leader hint for NOT_LEADER, the queue bounds for OFFSET_OUT_OF_RANGE).
 */
public final class RpcErrors {
    private static final Logger LOG = LoggerFactory.getLogger(RpcErrors.class);
    /** In the INVALID_ARGUMENT message of a leader asked to remove itself (the CLI then hands leadership over). */
    public static final String LEADER_NOT_REMOVED = "is the leader: hand leadership over first";
    public static final Metadata.Key<ErrorDetail> DETAIL_KEY =
            Metadata.Key.of("dledger-error-bin", ProtoUtils.metadataMarshaller(ErrorDetail.getDefaultInstance()));

    private RpcErrors() {
    }

    public static Status.Code statusCode(ErrorCode code) {
        return switch (code) {
            case NOT_LEADER, SEQUENCE_TOO_OLD, TOPIC_REPLACED, GROUP_ACTIVE, NOT_GROUP_MEMBER, NO_LIVE_MAJORITY ->
                    Status.Code.FAILED_PRECONDITION;
            case TOPIC_NOT_FOUND, QUEUE_NOT_FOUND -> Status.Code.NOT_FOUND;
            case INVALID_TOPIC_NAME, EMPTY_MESSAGE, MESSAGE_TOO_LARGE, BATCH_TOO_LARGE, INVALID_ARGUMENT ->
                    Status.Code.INVALID_ARGUMENT;
            case OFFSET_OUT_OF_RANGE -> Status.Code.OUT_OF_RANGE;
            case TOPIC_EXISTS -> Status.Code.ALREADY_EXISTS;
            case OUTCOME_UNKNOWN, NODE_UNAVAILABLE -> Status.Code.UNAVAILABLE;
            case BUSY, LIMIT_EXCEEDED, STORAGE_FULL -> Status.Code.RESOURCE_EXHAUSTED;
            case TIMEOUT -> Status.Code.DEADLINE_EXCEEDED;
            case CLIENT_CLOSED -> Status.Code.CANCELLED; // the client's own code; a node never sends it
            case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
            case PERMISSION_DENIED -> Status.Code.PERMISSION_DENIED;
            case INTERNAL, ERROR_UNSPECIFIED, UNRECOGNIZED -> Status.Code.INTERNAL;
        };
    }

    public static StatusRuntimeException error(ErrorCode code, String message) {
        return error(ErrorDetail.newBuilder().setCode(code).setMessage(message).build());
    }

    /**
     * {@code NOT_LEADER}, naming the leader {@code raft} knows, unless this node leads and is ready to serve; see
     * {@link #notServingLeader}. Both must say so: the state machine (started as leader, every earlier entry applied)
     * and JRaft, which steps down before the state machine thread hears of it when applies are behind, so a deposed
     * leader whose state machine thread is slow does not go on renewing group leases or answering with old offsets.
     */
    public static void requireLeader(io.dledger.broker.statemachine.BrokerStateMachine fsm, RaftNode raft) {
        if (!fsm.isLeader() || !raft.isLeader()) {
            throw notServingLeader(raft.leader().orElse(null), raft.peers().self().id());
        }
    }

    /**
     * The answer of a node that does not serve as leader: {@code NOT_LEADER} naming {@code knownLeader}, or, when
     * JRaft names this node itself ({@code selfId}: elected, its state machine not started as leader yet, or handing
     * leadership over), {@code BUSY}, which clients retry after a pause instead of being sent back here at once.
     */
    public static StatusRuntimeException notServingLeader(PeerSpec knownLeader, String selfId) {
        if (knownLeader != null && knownLeader.id().equals(selfId)) {
            return error(ErrorCode.BUSY, "this node's leadership is starting or ending (its state machine does not "
                    + "serve as leader now); retry shortly");
        }
        return notLeader(knownLeader);
    }

    public static StatusRuntimeException notLeader(PeerSpec leader) {
        ErrorDetail.Builder d = ErrorDetail.newBuilder().setCode(ErrorCode.NOT_LEADER);
        if (leader == null) {
            d.setMessage("this node is not the leader and knows no leader yet (election in progress)");
        } else {
            d.setMessage("this node is not the leader; the leader is " + leader.id() + " at " + leader.grpcAddress());
            d.setLeader(nodeRef(leader));
        }
        return error(d.build());
    }

    public static StatusRuntimeException outOfRange(String message, long min, long max) {
        return error(ErrorDetail.newBuilder().setCode(ErrorCode.OFFSET_OUT_OF_RANGE).setMessage(message)
                .setMinOffset(min).setMaxOffset(max).build());
    }

    /**
     * Longest message sent, in UTF-8 bytes: the status description (percent-encoded, up to 3 characters a byte)
     * and the detail travel in HTTP/2 headers (8 KiB by default on the client), and a message that echoes a
     * client's overlong input would make the reply itself fail.
     */
    static final int MAX_MESSAGE_BYTES = 1000;

    public static StatusRuntimeException error(ErrorDetail detail) {
        String message = detail.getMessage();
        if (message.length() > MAX_MESSAGE_BYTES / 3 && RequestValidator.utf8Length(message) > MAX_MESSAGE_BYTES) {
            int end = 0;
            int bytes = 0;
            while (end < message.length()) {
                int cp = message.codePointAt(end);
                int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                if (bytes + len > MAX_MESSAGE_BYTES) {
                    break;
                }
                bytes += len;
                end += Character.charCount(cp);
            }
            message = message.substring(0, end) + "... (" + message.length() + " characters)";
            detail = detail.toBuilder().setMessage(message).build();
        }
        Metadata trailers = new Metadata();
        trailers.put(DETAIL_KEY, detail);
        return Status.fromCode(statusCode(detail.getCode()))
                .withDescription(detail.getCode().name() + ": " + message)
                .asRuntimeException(trailers);
    }

    /** A failed proposal: NOT_LEADER gets the current leader hint; others keep their code. */
    public static StatusRuntimeException fromProposal(Throwable t, RaftNode raft) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof ProposalException p) {
            if (p.code() == ErrorCode.NOT_LEADER) {
                return notServingLeader(raft.leader().orElse(null), raft.peers().self().id());
            }
            return error(p.code(), p.getMessage());
        }
        return internal("write", cause);
    }

    /** The error for an offset commit the state machine refused ({@code r} is not OK). */
    public static StatusRuntimeException fromOffsets(OffsetsResult r) {
        return switch (r.status()) {
            case TOPIC_NOT_FOUND -> error(ErrorCode.TOPIC_NOT_FOUND, r.detail());
            case QUEUE_NOT_FOUND -> error(ErrorCode.QUEUE_NOT_FOUND, r.detail());
            case OFFSET_OUT_OF_RANGE -> outOfRange(r.detail(), r.minOffset(), r.maxOffset());
            case TOPIC_REPLACED -> error(ErrorCode.TOPIC_REPLACED, r.detail());
            case LIMIT_EXCEEDED -> error(ErrorCode.LIMIT_EXCEEDED, r.detail());
            case OK -> throw new IllegalArgumentException("an accepted commit is no error");
        };
    }

    /** {@code BUSY}: too many {@code what} on node {@code nodeId} already, past setting {@code key} = {@code limit}. */
    public static StatusRuntimeException busy(String what, String nodeId, ConfigKey key, int limit) {
        return error(ErrorCode.BUSY, "too many " + what + " on " + nodeId + " already (" + key.key() + "=" + limit
                + "); retry later");
    }

    public static StatusRuntimeException fromRead(ReadRejectedException e) {
        return switch (e.reason()) {
            case TOPIC_NOT_FOUND -> error(ErrorCode.TOPIC_NOT_FOUND, e.getMessage());
            case QUEUE_NOT_FOUND -> error(ErrorCode.QUEUE_NOT_FOUND, e.getMessage());
            case TOPIC_REPLACED -> error(ErrorCode.TOPIC_REPLACED, e.getMessage());
            case OFFSET_OUT_OF_RANGE -> outOfRange(e.getMessage(), e.minOffset(), e.maxOffset());
        };
    }

    /** An unexpected failure: logged here with its stack trace, reported to the client without it. */
    public static StatusRuntimeException internal(String what, Throwable t) {
        LOG.error("{} failed", what, t);
        return error(ErrorCode.INTERNAL, what + " failed on the broker: " + t.getMessage());
    }

    public static NodeRef nodeRef(PeerSpec p) {
        return NodeRef.newBuilder().setId(p.id()).setGrpcAddress(p.grpcAddress()).setRaftAddress(p.raftAddress())
                .build();
    }
}
