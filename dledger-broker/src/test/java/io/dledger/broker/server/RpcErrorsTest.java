package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.proto.ErrorCode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RpcErrorsTest {
    /** A node JRaft names as leader whose state machine does not serve as one asks for a retry, not for itself. */
    @Test
    void aLeaderNotServingYetAnswersBusyAndAFollowerNamesTheLeader() {
        io.dledger.broker.config.PeerSpec n1 = new io.dledger.broker.config.PeerSpec("n1", "h1", 1, 2);
        StatusRuntimeException starting = RpcErrors.notServingLeader(n1, "n1");
        assertThat(starting.getTrailers().get(RpcErrors.DETAIL_KEY).getCode()).isEqualTo(ErrorCode.BUSY);
        assertThat(starting.getTrailers().get(RpcErrors.DETAIL_KEY).hasLeader()).isFalse();
        StatusRuntimeException follower = RpcErrors.notServingLeader(n1, "n2");
        assertThat(follower.getTrailers().get(RpcErrors.DETAIL_KEY).getCode()).isEqualTo(ErrorCode.NOT_LEADER);
        assertThat(follower.getTrailers().get(RpcErrors.DETAIL_KEY).getLeader().getId()).isEqualTo("n1");
        assertThat(RpcErrors.notServingLeader(null, "n2").getTrailers().get(RpcErrors.DETAIL_KEY).hasLeader())
                .isFalse();
    }

    /** A message that echoes a client's 100,000-character input would not fit the reply's headers. */
    @Test
    void longMessagesAreCutToFitTheHeaders() {
        StatusRuntimeException e = RpcErrors.error(ErrorCode.TOPIC_NOT_FOUND, "topic '" + "x".repeat(100_000)
                + "' does not exist");
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.getStatus().getDescription()).hasSizeLessThan(RpcErrors.MAX_MESSAGE_BYTES + 100)
                .endsWith("(100023 characters)");
        assertThat(e.getTrailers().get(RpcErrors.DETAIL_KEY).getMessage())
                .hasSizeLessThan(RpcErrors.MAX_MESSAGE_BYTES + 100);
        assertThat(e.getTrailers().get(RpcErrors.DETAIL_KEY).getCode()).isEqualTo(ErrorCode.TOPIC_NOT_FOUND);
        assertThat(RpcErrors.error(ErrorCode.BUSY, "short").getStatus().getDescription()).isEqualTo("BUSY: short");
        // three bytes a character in UTF-8 (and nine once percent-encoded): the cut counts bytes
        String cjk = RpcErrors.error(ErrorCode.TOPIC_NOT_FOUND, "\u4e2d".repeat(100_000)).getStatus().getDescription();
        assertThat(cjk.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThan(RpcErrors.MAX_MESSAGE_BYTES + 100);
    }
}
