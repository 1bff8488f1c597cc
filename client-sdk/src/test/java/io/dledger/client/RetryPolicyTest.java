package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.proto.ErrorDetail;
import io.dledger.proto.NodeRef;
import io.grpc.Status;
import java.net.ConnectException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RetryPolicyTest {

    private static DLedgerException broker(Status.Code grpc, ErrorCode code, NodeRef leader) {
        return Errors.from(FakeNode.error(grpc, code, "x", leader));
    }

    @ParameterizedTest
    @CsvSource({
            "FAILED_PRECONDITION, NOT_LEADER, true",
            "UNAVAILABLE, OUTCOME_UNKNOWN, true",
            "RESOURCE_EXHAUSTED, BUSY, true",
            "UNAVAILABLE, NODE_UNAVAILABLE, true",
            "DEADLINE_EXCEEDED, TIMEOUT, true",
            "NOT_FOUND, TOPIC_NOT_FOUND, false",
            "NOT_FOUND, QUEUE_NOT_FOUND, false",
            "INVALID_ARGUMENT, INVALID_TOPIC_NAME, false",
            "INVALID_ARGUMENT, EMPTY_MESSAGE, false",
            "INVALID_ARGUMENT, MESSAGE_TOO_LARGE, false",
            "INVALID_ARGUMENT, BATCH_TOO_LARGE, false",
            "OUT_OF_RANGE, OFFSET_OUT_OF_RANGE, false",
            "ALREADY_EXISTS, TOPIC_EXISTS, false",
            "INVALID_ARGUMENT, INVALID_ARGUMENT, false",
            "FAILED_PRECONDITION, SEQUENCE_TOO_OLD, false",
            "INTERNAL, INTERNAL, false",
    })
    void typedBrokerCodes(Status.Code grpc, ErrorCode code, boolean retryable) {
        DLedgerException e = broker(grpc, code, null);
        assertThat(e.retryable()).isEqualTo(retryable);
        assertThat(RetryPolicy.decide(e, true, true))
                .isEqualTo(retryable ? RetryPolicy.Decision.RETRY : RetryPolicy.Decision.FAIL);
    }

    @Test
    void aLeaderIsLostWhenItIsUnreachableOrNoLongerLeadsNotWhenItIsBusyOrSlow() {
        assertThat(RetryPolicy.leaderLost(broker(Status.Code.FAILED_PRECONDITION, ErrorCode.NOT_LEADER, null)))
                .isTrue();
        assertThat(RetryPolicy.leaderLost(Errors.noLeader("n2: no leader", true))).isTrue();
        NodeRef n2 = NodeRef.newBuilder().setId("n2").setGrpcAddress("127.0.0.1:9102").build();
        assertThat(RetryPolicy.leaderLost(broker(Status.Code.FAILED_PRECONDITION, ErrorCode.NOT_LEADER, n2)))
                .as("a node that names the leader").isFalse();
        assertThat(RetryPolicy.leaderLost(broker(Status.Code.UNAVAILABLE, ErrorCode.NODE_UNAVAILABLE, null)))
                .as("a node that answered is alive").isFalse();
        assertThat(RetryPolicy.leaderLost(Errors.from(Status.UNAVAILABLE.withCause(new ConnectException("refused"))
                .asRuntimeException()))).isTrue();
        assertThat(RetryPolicy.leaderLost(broker(Status.Code.RESOURCE_EXHAUSTED, ErrorCode.BUSY, null))).isFalse();
        assertThat(RetryPolicy.leaderLost(broker(Status.Code.DEADLINE_EXCEEDED, ErrorCode.TIMEOUT, null))).isFalse();
        assertThat(RetryPolicy.leaderLost(broker(Status.Code.UNAVAILABLE, ErrorCode.OUTCOME_UNKNOWN, null))).isFalse();
        assertThat(RetryPolicy.leaderLost(Errors.from(Status.DEADLINE_EXCEEDED.asRuntimeException()))).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            "UNAVAILABLE, true", "DEADLINE_EXCEEDED, true", "CANCELLED, true", "ABORTED, true",
            "RESOURCE_EXHAUSTED, false", "INVALID_ARGUMENT, false", "NOT_FOUND, false", "OUT_OF_RANGE, false",
            "ALREADY_EXISTS, false", "FAILED_PRECONDITION, false", "INTERNAL, false", "UNKNOWN, false",
            "UNIMPLEMENTED, false", "PERMISSION_DENIED, false",
    })
    void bareGrpcCodes(Status.Code grpc, boolean retryable) {
        DLedgerException e = Errors.from(Status.fromCode(grpc).asRuntimeException());
        assertThat(e.retryable()).isEqualTo(retryable);
    }

    @Test
    void notLeaderWithAHintRedirectsOnlyForLeaderBoundOperations() {
        NodeRef hint = NodeRef.newBuilder().setId("n2").setGrpcAddress("n2:1").build();
        DLedgerException e = broker(Status.Code.FAILED_PRECONDITION, ErrorCode.NOT_LEADER, hint);
        assertThat(e.leaderHint()).contains(new DLedgerException.LeaderHint("n2", "n2:1"));
        assertThat(RetryPolicy.decide(e, true, true)).isEqualTo(RetryPolicy.Decision.REDIRECT);
        assertThat(RetryPolicy.decide(e, false, true)).isEqualTo(RetryPolicy.Decision.REDIRECT);
        assertThat(RetryPolicy.decide(e, true, false)).isEqualTo(RetryPolicy.Decision.FAIL);
    }

    @Test
    void nonIdempotentOperationsRetryOnlyOnProofOfNonExecution() {
        assertThat(RetryPolicy.decide(broker(Status.Code.FAILED_PRECONDITION, ErrorCode.NOT_LEADER, null), false,
                true)).isEqualTo(RetryPolicy.Decision.RETRY);
        assertThat(RetryPolicy.decide(broker(Status.Code.RESOURCE_EXHAUSTED, ErrorCode.BUSY, null), false, true))
                .isEqualTo(RetryPolicy.Decision.RETRY);
        assertThat(RetryPolicy.decide(broker(Status.Code.UNAVAILABLE, ErrorCode.OUTCOME_UNKNOWN, null), false,
                true)).isEqualTo(RetryPolicy.Decision.FAIL);
        assertThat(RetryPolicy.decide(Errors.from(Status.UNAVAILABLE.asRuntimeException()), false, true))
                .isEqualTo(RetryPolicy.Decision.FAIL);
        assertThat(RetryPolicy.decide(Errors.from(Status.DEADLINE_EXCEEDED.asRuntimeException()), false, true))
                .isEqualTo(RetryPolicy.Decision.FAIL);
        DLedgerException refused = Errors.from(Status.UNAVAILABLE
                .withCause(new ConnectException("Connection refused")).asRuntimeException());
        assertThat(RetryPolicy.decide(refused, false, true)).isEqualTo(RetryPolicy.Decision.RETRY);
    }

    @Test
    void aConnectionThatBrokeDuringTheCallIsRetriedOnlyWhenIdempotent() {
        // what grpc-netty reports when the node dies while the request is written: UNKNOWN "channel closed"
        // the shape grpc-netty 1.85 builds: a ClosedChannelException wrapping the original one
        java.nio.channels.ClosedChannelException closed = new java.nio.channels.ClosedChannelException();
        closed.initCause(new java.nio.channels.ClosedChannelException());
        DLedgerException e = Errors.from(Status.UNKNOWN.withDescription("channel closed").withCause(closed)
                .asRuntimeException());
        assertThat(e.code()).isEqualTo(ErrorCode.NODE_UNAVAILABLE);
        assertThat(e.retryable()).isTrue();
        assertThat(RetryPolicy.decide(e, true, true)).isEqualTo(RetryPolicy.Decision.RETRY);
        assertThat(RetryPolicy.decide(e, false, true)).isEqualTo(RetryPolicy.Decision.FAIL); // may have executed
        // an UNKNOWN that is not about the connection stays final
        DLedgerException other = Errors.from(Status.UNKNOWN.withDescription("application bug").asRuntimeException());
        assertThat(other.retryable()).isFalse();
        assertThat(Errors.from(Status.UNKNOWN.withCause(new IllegalStateException("bug")).asRuntimeException())
                .retryable()).isFalse();
        assertThat(Errors.from(Status.INTERNAL.withCause(new java.nio.channels.ClosedChannelException())
                .asRuntimeException()).retryable()).isFalse();
        // a broker's typed answer wins over whatever the client-side cause says
        DLedgerException typed = Errors.from(FakeNode.error(Status.Code.UNKNOWN, ErrorCode.MESSAGE_TOO_LARGE, "big",
                null).getStatus().withCause(new java.nio.channels.ClosedChannelException())
                .asRuntimeException(FakeNode.error(Status.Code.UNKNOWN, ErrorCode.MESSAGE_TOO_LARGE, "big", null)
                        .getTrailers()));
        assertThat(typed.code()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
        assertThat(typed.retryable()).isFalse();
    }

    @Test
    void aCallBrokenWithoutTheBrokersAnswerMayHaveRunUnlessTheAddressIsNoGrpcServer() {
        assertThat(RetryPolicy.brokenAfterSending(Errors.from(Status.INTERNAL.withDescription(
                "RST_STREAM closed stream. HTTP/2 error code: INTERNAL_ERROR").asRuntimeException()))).isTrue();
        assertThat(RetryPolicy.brokenAfterSending(Errors.from(Status.UNKNOWN.withDescription("proxy failure")
                .asRuntimeException()))).isTrue();
        assertThat(RetryPolicy.brokenAfterSending(Errors.from(Status.INTERNAL.withDescription("http2 exception")
                .withCause(new IllegalStateException("First received frame was not SETTINGS. Hex dump for first 5 "
                        + "bytes: 485454502f")).asRuntimeException()))).as("an HTTP/1 server").isFalse();
        assertThat(RetryPolicy.brokenAfterSending(Errors.from(FakeNode.error(Status.Code.INTERNAL,
                ErrorCode.INTERNAL, "the broker's own", null)))).as("a typed answer").isFalse();
    }

    @Test
    void theClientsOwnNoLeaderErrorIsRetriedEvenForNonIdempotentOperations() {
        assertThat(RetryPolicy.decide(Errors.noLeader("none", true), false, true))
                .isEqualTo(RetryPolicy.Decision.RETRY);
    }

    @Test
    void whenNoNodeAnsweredTheErrorSaysSoAsNodeUnavailable() {
        DLedgerException e = Errors.noLeader("h:1: cannot connect", false);
        assertThat(e.code()).isEqualTo(ErrorCode.NODE_UNAVAILABLE);
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).contains("no node answered");
    }

    @Test
    void backoffIsJitteredExponentialAndCapped() {
        for (int i = 0; i < 200; i++) {
            assertThat(RetryPolicy.backoffNanos(0)).isBetween(ms(5), ms(10));
            assertThat(RetryPolicy.backoffNanos(1)).isBetween(ms(10), ms(20));
            assertThat(RetryPolicy.backoffNanos(3)).isBetween(ms(40), ms(80));
            assertThat(RetryPolicy.backoffNanos(10)).isBetween(ms(100), ms(200));
            assertThat(RetryPolicy.backoffNanos(1_000)).isBetween(ms(100), ms(200));
        }
    }

    @Test
    void aMalformedOrMissingTrailerFallsBackToTheGrpcCode() {
        DLedgerException e = Errors.from(Status.UNAVAILABLE.withDescription("io exception").asRuntimeException());
        assertThat(e.code()).isEqualTo(ErrorCode.NODE_UNAVAILABLE);
        assertThat(e.fromBroker()).isFalse();
        assertThat(e.getMessage()).contains("io exception");
        io.grpc.Metadata trailers = new io.grpc.Metadata();
        trailers.put(io.grpc.Metadata.Key.of("dledger-error-bin", io.grpc.Metadata.BINARY_BYTE_MARSHALLER),
                new byte[] {(byte) 0xff, 0x01});
        DLedgerException bad = Errors.from(Status.DEADLINE_EXCEEDED.asRuntimeException(trailers));
        assertThat(bad.code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(bad.retryable()).isTrue();
        assertThat(Errors.from(Status.INTERNAL.asRuntimeException(new io.grpc.Metadata())).code())
                .isEqualTo(ErrorCode.INTERNAL);
        assertThat(ErrorDetail.getDefaultInstance().getCode()).isEqualTo(io.dledger.proto.ErrorCode.ERROR_UNSPECIFIED);
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
