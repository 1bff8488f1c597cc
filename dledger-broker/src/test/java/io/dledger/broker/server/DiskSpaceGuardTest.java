package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dledger.broker.config.PeerSpec;
import io.dledger.proto.DiskStatus;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.ErrorDetail;
import io.dledger.proto.NodeRef;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.Role;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DiskSpaceGuardTest {
    private static final long MIB = 1024 * 1024;

    private final AtomicLong usable = new AtomicLong(10 * MIB);
    private final AtomicLong clock = new AtomicLong();
    private final AtomicInteger reads = new AtomicInteger();

    /** What the followers report; the guard's {@link FollowerDisks} asks them when {@link #pollFollowers} runs. */
    private final List<NodeStatus> followerStatuses = new ArrayList<>();
    private final FollowerDisks followers = new FollowerDisks(() -> true,
            () -> IntStream.range(0, followerStatuses.size()).mapToObj(i -> new PeerSpec("f" + i, "h", 1, 2)).toList(),
            p -> CompletableFuture.completedFuture(followerStatuses.get(Integer.parseInt(p.id().substring(1)))),
            clock::get);

    private DiskSpaceGuard guard(long minFree) {
        return new DiskSpaceGuard(minFree, () -> {
            reads.incrementAndGet();
            return usable.get();
        }, clock::get, followers);
    }

    private void pollFollowers(boolean... below) {
        followerStatuses.clear();
        for (int i = 0; i < below.length; i++) {
            followerStatuses.add(NodeStatus.newBuilder().setSelf(NodeRef.newBuilder().setId("f" + i))
                    .setRole(Role.FOLLOWER).setDisk(DiskStatus.newBuilder().setUsableBytes(MIB)
                            .setMinFreeBytes(2 * MIB).setBelowMinimum(below[i])).build());
        }
        followers.poll();
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
    void reportsTheDiskInTheNodeStatus() {
        usable.set(10 * MIB);
        assertThat(guard(64 * MIB).status()).isEqualTo(DiskStatus.newBuilder().setUsableBytes(10 * MIB)
                .setMinFreeBytes(64 * MIB).setBelowMinimum(true).build());
        assertThat(guard(0).status().getBelowMinimum()).as("off").isFalse();
        usable.set(Long.MAX_VALUE);
        assertThat(guard(64 * MIB).status()).isEqualTo(DiskStatus.newBuilder().setUsableBytes(-1)
                .setMinFreeBytes(64 * MIB).setBelowMinimum(false).build());
    }

    @Test
    void refusesWhenTheFollowersLeaveNoMajorityEvenWithItsOwnCheckOff() {
        DiskSpaceGuard g = guard(0);
        pollFollowers(true, false);
        assertThatCode(g::check).as("one follower of three low: the other two commit").doesNotThrowAnyException();
        pollFollowers(true, true);
        assertThatThrownBy(g::check).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getTrailers().get(RpcErrors.DETAIL_KEY).getCode()).isEqualTo(ErrorCode.STORAGE_FULL);
        });
    }

    @Test
    void watchesTheRealFileSystemOfADirectory(@TempDir Path dir) {
        DiskSpaceGuard g = DiskSpaceGuard.forDirectory(dir, 1, followers);
        assertThat(g.usableBytes()).isPositive().isLessThan(Long.MAX_VALUE);
        assertThatCode(g::check).doesNotThrowAnyException();
        assertThatThrownBy(DiskSpaceGuard.forDirectory(dir, Long.MAX_VALUE, followers)::check)
                .isInstanceOf(StatusRuntimeException.class);
    }
}
