package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dledger.proto.ErrorCode;
import io.dledger.proto.ErrorDetail;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DiskSpaceGuardTest {
    private static final long MIB = 1024 * 1024;

    private final AtomicLong usable = new AtomicLong(10 * MIB);
    private final AtomicLong clock = new AtomicLong();
    private final AtomicInteger reads = new AtomicInteger();

    private DiskSpaceGuard guard(long minFree) {
        return new DiskSpaceGuard(minFree, () -> {
            reads.incrementAndGet();
            return usable.get();
        }, clock::get);
    }

    @Test
    void refusesWithStorageFullBelowTheMinimumAndNamesTheSetting() {
        DiskSpaceGuard g = guard(64 * MIB);
        assertThatThrownBy(g::check).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            ErrorDetail d = e.getTrailers().get(RpcErrors.DETAIL_KEY);
            assertThat(d.getCode()).isEqualTo(ErrorCode.STORAGE_FULL);
            assertThat(d.getMessage()).contains("10 MiB usable", "store.min.free.bytes (64 MiB)");
        });
    }

    @Test
    void letsWritesThroughAtOrAboveTheMinimumWhenOffOrWhenTheSpaceIsUnknown() {
        usable.set(64 * MIB);
        assertThatCode(guard(64 * MIB)::check).doesNotThrowAnyException();
        usable.set(0);
        assertThatCode(guard(0)::check).as("0 turns the check off").doesNotThrowAnyException();
        usable.set(Long.MAX_VALUE);
        assertThatCode(guard(64 * MIB)::check).as("unknown").doesNotThrowAnyException();
    }

    @Test
    void readsTheFileSystemAtMostOncePerRefreshPeriod() {
        DiskSpaceGuard g = guard(64 * MIB);
        usable.set(100 * MIB);
        g.check();
        usable.set(MIB); // the disk fills
        g.check();
        assertThat(reads.get()).isEqualTo(1);
        clock.addAndGet(DiskSpaceGuard.REFRESH_NANOS);
        assertThatThrownBy(g::check).isInstanceOf(StatusRuntimeException.class);
        assertThat(reads.get()).isEqualTo(2);
        usable.set(100 * MIB); // space freed
        clock.addAndGet(DiskSpaceGuard.REFRESH_NANOS);
        assertThatCode(g::check).doesNotThrowAnyException();
    }

    @Test
    void watchesTheRealFileSystemOfADirectory(@TempDir Path dir) {
        DiskSpaceGuard g = DiskSpaceGuard.forDirectory(dir, 1);
        assertThat(g.usableBytes()).isPositive().isLessThan(Long.MAX_VALUE);
        assertThatCode(g::check).doesNotThrowAnyException();
        assertThatThrownBy(DiskSpaceGuard.forDirectory(dir, Long.MAX_VALUE)::check)
                .isInstanceOf(StatusRuntimeException.class);
    }
}
