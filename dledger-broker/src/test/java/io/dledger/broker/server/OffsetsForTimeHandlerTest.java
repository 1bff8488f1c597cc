package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dledger.proto.ErrorCode;
import io.dledger.proto.OffsetsForTimeRequest;
import io.grpc.StatusRuntimeException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class OffsetsForTimeHandlerTest {
    private static OffsetsForTimeRequest.Builder request() {
        return OffsetsForTimeRequest.newBuilder().setTopic("t").setTimestampMs(1_000);
    }

    private static void refused(OffsetsForTimeRequest.Builder req, String message) {
        refused(req, ErrorCode.INVALID_ARGUMENT, message);
    }

    private static void refused(OffsetsForTimeRequest.Builder req, ErrorCode code, String message) {
        assertThatThrownBy(() -> OffsetsForTimeHandler.check(req.build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getTrailers().get(RpcErrors.DETAIL_KEY).getCode()).isEqualTo(code);
                    assertThat(e.getStatus().getDescription()).contains(message);
                });
    }

    @Test
    void refusesBadRequests() {
        assertThat(OffsetsForTimeHandler.check(request().build())).as("none named: every queue").isEmpty();
        assertThat(OffsetsForTimeHandler.check(request().addQueues(3).addQueues(1).build())).containsExactly(3, 1);
        refused(request().setTimestampMs(-1), "must not be negative");
        refused(request().setTopicIncarnation(-1), "must not be negative");
        refused(request().addQueues(1).addQueues(1), "queue 1 is named twice");
        refused(request().addAllQueues(IntStream.range(0, RequestValidator.MAX_QUEUES + 1).boxed().toList()),
                "name at most 1024 queues");
        refused(request().setTopic("bad name"), ErrorCode.INVALID_TOPIC_NAME, "invalid topic name 'bad name'");
    }
}
