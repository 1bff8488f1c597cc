package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dledger.proto.ErrorCode;
import io.dledger.proto.HeartbeatRequest;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the leader keeps of a heartbeat's owned queues for the member's session. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HeartbeatOwnedQueuesTest {

    @Test
    void queuesTheTopicDoesNotHaveAreLeftOut() {
        HeartbeatRequest req = HeartbeatRequest.newBuilder().addAllOwnedQueues(java.util.List.of(0, 3, 3, 4, -1, 9))
                .build();
        assertThat(ConsumerServiceImpl.ownedQueues(req, 4)).containsExactlyInAnyOrder(0, 3);
    }

    @Test
    void aListLongerThanAnyTopicIsRefusedBeforeAnythingIsKept() {
        HeartbeatRequest req = HeartbeatRequest.newBuilder()
                .addAllOwnedQueues(IntStream.range(0, 4_000_000).boxed().toList()).build();
        assertThatThrownBy(() -> ConsumerServiceImpl.ownedQueues(req, 1024))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getTrailers().get(RpcErrors.DETAIL_KEY).getCode())
                            .isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("4000000").contains("at most 1024");
                });
    }
}
