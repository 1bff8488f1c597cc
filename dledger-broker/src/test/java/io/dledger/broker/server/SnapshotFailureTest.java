package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.error.RaftError;
import io.dledger.broker.raft.RaftRefusedException;
import io.dledger.proto.ErrorCode;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An admin snapshot that does not happen for an ordinary reason gets a typed answer, not INTERNAL. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SnapshotFailureTest {

    private static ErrorCode code(StatusRuntimeException e) {
        return e.getTrailers().get(RpcErrors.DETAIL_KEY).getCode();
    }

    @Test
    void anotherSnapshotUnderWayIsBusy() {
        StatusRuntimeException e = AdminServiceImpl.snapshotFailure(new RaftRefusedException("snapshot",
                new Status(RaftError.EBUSY, "Is saving another snapshot.")));
        assertThat(code(e)).isEqualTo(ErrorCode.BUSY);
        assertThat(e.getStatus().getDescription()).contains("saving another snapshot");
    }

    @Test
    void aFailedOrStoppingNodeIsUnavailableAndTheTimeoutIsATimeout() {
        assertThat(code(AdminServiceImpl.snapshotFailure(new RaftRefusedException("snapshot",
                new Status(RaftError.EIO, "no snapshot of a failed store"))))).isEqualTo(ErrorCode.NODE_UNAVAILABLE);
        assertThat(code(AdminServiceImpl.snapshotFailure(new RaftRefusedException("snapshot",
                new Status(RaftError.ESTOP, "stopped"))))).isEqualTo(ErrorCode.NODE_UNAVAILABLE);
        assertThat(code(AdminServiceImpl.snapshotFailure(new TimeoutException()))).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(code(AdminServiceImpl.snapshotFailure(new IllegalStateException("odd"))))
                .isEqualTo(ErrorCode.INTERNAL);
    }
}
