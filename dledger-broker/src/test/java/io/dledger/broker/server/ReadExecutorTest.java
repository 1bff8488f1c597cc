package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dledger.proto.ErrorCode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** New reads queue up to the limit and are refused with BUSY beyond it; woken long polls always get in. */
@Timeout(10)
class ReadExecutorTest {
    private final AtomicInteger ran = new AtomicInteger();

    @Test
    void aFullQueueRefusesNewReadsButTakesWokenOnes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        try (ReadExecutor reads = new ReadExecutor("n1", 1, 2)) {
            Recorder first = new Recorder();
            reads.executeOrRefuse(() -> {
                started.countDown();
                awaitQuietly(release);
                ran.incrementAndGet();
            }, first);
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue(); // the one thread is busy from here on
            Recorder queued = new Recorder();
            reads.executeOrRefuse(ran::incrementAndGet, queued);
            reads.executeOrRefuse(ran::incrementAndGet, queued);
            assertThat(reads.queued()).isEqualTo(2);

            Recorder refused = new Recorder();
            reads.executeOrRefuse(ran::incrementAndGet, refused);
            assertThat(refused.error.get()).as("the third queued read is refused").isNotNull();
            assertThat(Status.fromThrowable(refused.error.get()).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(((StatusRuntimeException) refused.error.get()).getTrailers().get(RpcErrors.DETAIL_KEY).getCode())
                    .isEqualTo(ErrorCode.BUSY);
            assertThat(refused.error.get().getMessage()).contains("n1", "read.max.queued=2");
            assertThat(queued.error.get()).isNull();

            reads.execute(ran::incrementAndGet); // a woken long poll is never turned away
            assertThat(reads.queued()).isEqualTo(3);

            release.countDown();
            await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> assertThat(ran).hasValue(4));
            assertThat(reads.queued()).isZero();
            Recorder later = new Recorder();
            reads.executeOrRefuse(ran::incrementAndGet, later);
            await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> assertThat(ran).hasValue(5));
            assertThat(later.error.get()).isNull();
        } finally {
            release.countDown();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Recorder implements StreamObserver<Object> {
        final AtomicReference<Throwable> error = new AtomicReference<>();

        @Override
        public void onNext(Object value) {
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
        }

        @Override
        public void onCompleted() {
        }
    }
}
