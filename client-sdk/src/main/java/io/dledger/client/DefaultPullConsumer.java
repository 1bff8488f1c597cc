package io.dledger.client;

import io.dledger.proto.OffsetsForTimeResponse;
import io.dledger.proto.PullRequest;
import io.dledger.proto.PullResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@link PullConsumer} of a {@link DLedgerClient}: one {@code Pull} RPC per call, routed and retried by the
 * {@link ClusterRouter}. A pull suggestion's node is recorded in the node directory so the caller can follow it by
 * id. A {@code follower-behind} answer to a pull meant for the leader moves the client's leader to the node it names,
 * and the pull is sent there once more ({@link #toLeader}).
 *
 * <p>A response must fit the client's {@code maxInboundMessageBytes} (see
 * {@link DLedgerClient.Builder#maxInboundMessageBytes}): every pull asks for at most half of it, which leaves room
 * for the response's framing; a response gRPC still refuses fails with {@link ErrorCode#LIMIT_EXCEEDED}, where
 * gRPC's own error would read like a request the node refused.
 *
 * <p>Thread-safe and stateless apart from the closed flag.
 */
final class DefaultPullConsumer implements PullConsumer {
    /** How many times a pull meant for the leader is sent on after {@code follower-behind} answers. */
    private static final int MAX_SENT_ON = 1;

    private final ClusterRouter router;
    private volatile boolean closed;

    DefaultPullConsumer(ClusterRouter router) {
        this.router = router;
    }

    @Override
    public PullResult pull(String topic, int queue, long offset, int maxMessages) {
        return pull(new PullRequestOptions(topic, queue, offset, maxMessages, 0, null));
    }

    @Override
    public PullResult pull(PullRequestOptions options) {
        return Errors.await(pullAsync(options));
    }

    @Override
    public CompletableFuture<PullResult> pullAsync(PullRequestOptions options) {
        Objects.requireNonNull(options, "options");
        if (closed) {
            return CompletableFuture.failedFuture(Errors.closed("pull consumer"));
        }
        PullRequest request = PullRequest.newBuilder()
                .setTopic(options.topic())
                .setQueue(options.queue())
                .setOffset(options.offset())
                .setMaxMessages(options.maxMessages())
                .setMaxBytes(maxBytes(options.maxBytes()))
                .setMaxWaitMs(options.maxWaitMs())
                .setReadYourWrites(options.readYourWrites())
                .setTopicIncarnation(options.topicIncarnation())
                .addAllTags(options.tags())
                .build();
        long waitNanos = TimeUnit.MILLISECONDS.toNanos(options.maxWaitMs());
        Operation<PullRequest, PullResponse> op = Operations.pull(options.nodeId(), request).withServerWait(waitNanos);
        // a named node that is down should fail fast (the caller falls back to the leader), not retry until the
        // operation deadline: at once when its port refuses the connection, else within one request timeout; the
        // long-polling wait is on purpose and comes on top of either deadline
        if (options.nodeId() != null) {
            op = op.failingWhenRefused();
        }
        long deadline = op.serverWaitNanos() + (options.nodeId() == null ? router.deadlineFromNow()
                : System.nanoTime() + router.config().requestTimeout().toNanos());
        var future = options.nodeId() != null ? router.execute(op, deadline)
                : toLeader(op, deadline, System.nanoTime() + waitNanos, MAX_SENT_ON);
        return Errors.map(future.exceptionallyCompose(e -> CompletableFuture.failedFuture(
                responseOverLimit(Errors.from(e), options))), response -> {
            if (response.hasSuggestion()) {
                router.directory().learn(response.getSuggestion().getNode());
            }
            return ProtoMapper.toPullResult(onlyTagged(response, options.tags()));
        });
    }

    /**
     * Sends {@code op}, a pull meant for the leader. A {@code follower-behind} answer (the leader moved while this
     * client only pulled, and a follower that lacked what was asked named the new one) moves the client's leader to
     * the node it names; the pull then goes there, up to {@code hops} times more, within the same deadline and
     * long-polling wait. The last answer still moves the client's leader, without sending the pull on again.
     */
    private CompletableFuture<PullResponse> toLeader(Operation<PullRequest, PullResponse> op, long deadline,
                                                     long waitEnd, int hops) {
        return router.execute(op, deadline).thenCompose(response -> movedLeader(response) && hops > 0
                ? toLeader(toLeaderAgain(op.request(), waitEnd), deadline, waitEnd, hops - 1)
                : CompletableFuture.completedFuture(response));
    }

    /**
     * Whether {@code response} is a follower-behind answer and the client's leader is now another node than the one
     * that gave it: moved there by this answer, or by another pull's meanwhile.
     */
    private boolean movedLeader(PullResponse response) {
        return response.hasSuggestion() && PullResult.FOLLOWER_BEHIND.equals(response.getSuggestion().getReason())
                && router.leaders().acceptHintFrom(response.getServedBy(), response.getSuggestion().getNode());
    }

    /** {@code request} once more, waiting on the node at most until {@code waitEnd}: what is left of its wait. */
    private static Operation<PullRequest, PullResponse> toLeaderAgain(PullRequest request, long waitEnd) {
        long waitMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(waitEnd - System.nanoTime()));
        PullRequest timed = waitMs == request.getMaxWaitMs() ? request
                : request.toBuilder().setMaxWaitMs((int) waitMs).build();
        return Operations.pull(null, timed).withServerWait(TimeUnit.MILLISECONDS.toNanos(waitMs));
    }

    @Override
    public TimeOffsets offsetsForTime(String topic, long timestampMs, int... queues) {
        Objects.requireNonNull(topic, "topic");
        if (closed) {
            throw Errors.closed("pull consumer");
        }
        OffsetsForTimeResponse r = Errors.await(router.execute(Operations.offsetsForTime(topic, timestampMs, queues)));
        Map<Integer, Long> offsets = new LinkedHashMap<>();
        r.getOffsetsList().forEach(o -> offsets.put(o.getQueue(), o.getOffset()));
        return new TimeOffsets(r.getTopicIncarnation(), offsets);
    }

    /**
     * {@code response} without messages whose tags are not among {@code tags} (none: every message): a node from
     * before tag filters ignores them and answers every message.
     */
    static PullResponse onlyTagged(PullResponse response, java.util.Set<String> tags) {
        if (tags.isEmpty() || response.getMessagesList().stream().allMatch(m -> tags.contains(m.getTags()))) {
            return response;
        }
        return response.toBuilder().clearMessages().addAllMessages(response.getMessagesList().stream()
                .filter(m -> tags.contains(m.getTags())).toList()).build();
    }

    /** The message bytes to ask for: what the caller asked ({@code 0}: the node's default), within the limit. */
    private int maxBytes(int asked) {
        int fits = Math.max(1, router.config().maxInboundMessageBytes() / 2);
        return asked == 0 ? fits : Math.min(asked, fits);
    }

    /**
     * {@code e}, or, when gRPC refused the response as over the client's own size limit (a pull's request is far
     * below any node's limit, so the size error is about the response), a {@link ErrorCode#LIMIT_EXCEEDED} that
     * says so.
     */
    private DLedgerException responseOverLimit(DLedgerException e, PullRequestOptions options) {
        if (e.typedCode() != null || e.code() != ErrorCode.BATCH_TOO_LARGE) {
            return e;
        }
        return Errors.responseTooLarge(e, "pull of " + options.topic() + "/" + options.queue() + " at offset "
                + options.offset(), router.config().maxInboundMessageBytes());
    }

    @Override
    public void close() {
        closed = true;
    }
}
