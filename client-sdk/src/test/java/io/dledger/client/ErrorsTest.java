package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ErrorsTest {
    @Test
    void theSdksCodesAndRolesAreExactlyTheWireProtocolsAndMapByName() {
        assertThat(java.util.Arrays.stream(io.dledger.proto.ErrorCode.values())
                .filter(c -> c != io.dledger.proto.ErrorCode.UNRECOGNIZED).map(Enum::name))
                .containsExactly(java.util.Arrays.stream(ErrorCode.values()).map(Enum::name).toArray(String[]::new));
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(ErrorCode.of(io.dledger.proto.ErrorCode.valueOf(c.name()))).isEqualTo(c);
        }
        assertThat(ErrorCode.of(io.dledger.proto.ErrorCode.UNRECOGNIZED)).isEqualTo(ErrorCode.ERROR_UNSPECIFIED);
        for (io.dledger.proto.Role r : io.dledger.proto.Role.values()) {
            NodeRole mapped = NodeRole.of(r);
            assertThat(mapped.name()).isEqualTo(r == io.dledger.proto.Role.ROLE_UNKNOWN
                    || r == io.dledger.proto.Role.UNRECOGNIZED ? "UNKNOWN" : r.name());
        }
    }

    @Test
    void aPassedDeadlineIsSaidInWordsWithoutTransportInternals() {
        DLedgerException e = Errors.from(Status.DEADLINE_EXCEEDED.withDescription("CallOptions deadline exceeded "
                + "after 4.999455904s. Name resolution delay 0.000000000 seconds. [closed=[], open=[[remote_addr="
                + "127.0.0.1/127.0.0.1:26702]]]").asRuntimeException());
        assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(e.grpcCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(e.getMessage()).contains("no answer within 4999 ms").contains("unknown")
                .doesNotContain("Name resolution").doesNotContain("remote_addr");
        assertThat(e.getCause()).isNotNull(); // gRPC's own description stays in the chain for debugging

        assertThat(Errors.from(Status.DEADLINE_EXCEEDED.asRuntimeException()).getMessage()).contains("no answer (");
    }

    @Test
    void aRefusedConnectionSaysSo() {
        DLedgerException e = Errors.from(Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new java.net.ConnectException("finishConnect(..) failed with error(-111): Connection "
                        + "refused: /127.0.0.1:26703")).asRuntimeException());
        assertThat(e.getMessage()).endsWith("cannot connect: Connection refused: /127.0.0.1:26703");
        assertThat(RetryPolicy.provesNotExecuted(e)).isTrue();
    }

    /** A client whose TLS setting does not match the nodes' is told that, not only that no node answered. */
    @Test
    void tlsMismatchesSaySo() {
        assertThat(Errors.from(Status.UNAVAILABLE.withDescription("io exception").withCause(
                new javax.net.ssl.SSLHandshakeException("PKIX path building failed")).asRuntimeException())
                .getMessage()).contains("TLS handshake failed (trust the node's certificate with --tls-ca")
                .contains("PKIX");
        assertThat(Errors.from(Status.UNAVAILABLE.withDescription(Errors.GRPC_NETWORK_CLOSED).asRuntimeException())
                .getMessage()).contains("closed unanswered (plaintext client? the node may serve TLS: --tls-ca; or not "
                        + "its gRPC port)");
        assertThat(Errors.from(Status.UNAVAILABLE.withDescription("io exception").withCause(
                new NotSslRecordException()).asRuntimeException()).getMessage())
                .contains("the node does not speak TLS").doesNotContain("handshake").doesNotContain("3c21");
        assertThat(Errors.from(Status.UNAVAILABLE.withDescription("Connection closed while performing TLS negotiation"
                + "\nChannel Pipeline: [SslHandler#0, ProtocolNegotiators$ClientTlsHandler#0]").asRuntimeException())
                .getMessage()).endsWith(": closed during the TLS handshake (the node may not speak TLS: leave out "
                        + "--tls-ca; or not its gRPC port)");
        assertThat(Errors.from(Status.UNAVAILABLE.withDescription("io exception").withCause(new java.io.IOException(
                "recvAddress(..) failed: Connection reset by peer")).asRuntimeException()).getMessage())
                .contains("connection lost (plaintext client? the node may serve TLS: --tls-ca; or not its gRPC "
                        + "port): ")
                .endsWith("Connection reset by peer").as("the transport's syscall left out")
                .doesNotContain("recvAddress");
    }

    /** A node's HTTP or Raft port, or another server, given instead of a gRPC port (as gRPC reports each). */
    @Test
    void anAddressThatIsNotAGrpcPortSaysSo() {
        assertThat(Errors.from(Status.INTERNAL.withDescription("http2 exception").withCause(new IllegalStateException(
                "First received frame was not SETTINGS. Hex dump for first 5 bytes: 485454502f")).asRuntimeException())
                .getMessage()).endsWith(": not a gRPC port: it answers HTTP/1 (a node's HTTP port?)");
        assertThat(Errors.from(Status.UNAVAILABLE.withDescription("Failed ALPN negotiation: Unable to find compatible "
                + "protocol\nChannel Pipeline: [SslHandler#0]").asRuntimeException()).getMessage())
                .endsWith(": not a gRPC port: TLS without HTTP/2 (a node's HTTP or Raft port?)");
        DLedgerException other = Errors.from(Status.UNIMPLEMENTED.withDescription("HTTP status code 404\ninvalid "
                + "content-type: text/html").asRuntimeException());
        assertThat(other.getMessage()).endsWith(": not a dledger gRPC port: it answers HTTP status code 404");
        assertThat(Errors.from(Status.UNIMPLEMENTED.withDescription("Method not found: dledger.AdminService/New")
                .asRuntimeException()).getMessage()).as("a node of an older version").contains("older version");
    }

    /**
     * Netty's exception for bytes that are not TLS, by its simple name (the SDK's Netty is shaded); an SSLException,
     * like Netty's.
     */
    private static final class NotSslRecordException extends javax.net.ssl.SSLException {
        NotSslRecordException() {
            super("not an SSL/TLS record: 3c21444f43545950452048544d4c3e");
        }
    }

    @Test
    void aRequestOverGrpcsSizeLimitIsBatchTooLargeAndNotRetried() {
        DLedgerException e = Errors.from(Status.RESOURCE_EXHAUSTED
                .withDescription("gRPC message exceeds maximum size 17825792: 73400350").asRuntimeException());
        assertThat(e.code()).isEqualTo(ErrorCode.BATCH_TOO_LARGE);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("73400350").contains("message.max.bytes").contains("batch.max.bytes");
        assertThat(Errors.from(Status.RESOURCE_EXHAUSTED.asRuntimeException()).code())
                .isEqualTo(ErrorCode.ERROR_UNSPECIFIED);
    }
}
