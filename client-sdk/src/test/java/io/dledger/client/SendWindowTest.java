package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SendWindowTest {

    private final List<Long> dispatched = Collections.synchronizedList(new ArrayList<>());

    @Test
    void sequencesStartAtOneAndWaitBeyondTheOldestUnresolvedPlusCapacity() {
        SendWindow window = new SendWindow(2);
        assertThat(window.acquire(dispatched::add)).isEqualTo(1);
        assertThat(window.acquire(dispatched::add)).isEqualTo(2);
        assertThat(window.acquire(dispatched::add)).isEqualTo(3);
        assertThat(window.acquire(dispatched::add)).isEqualTo(4);
        assertThat(dispatched).containsExactly(1L, 2L);
        assertThat(window.waitingCount()).isEqualTo(2);

        window.release(2); // 1 is still unresolved: 3 must not go (3 >= 1 + 2)
        assertThat(dispatched).containsExactly(1L, 2L);

        window.release(1); // oldest unresolved is now 3: 3 and 4 fit
        assertThat(dispatched).containsExactly(1L, 2L, 3L, 4L);
        assertThat(window.waitingCount()).isZero();
    }

    @Test
    void releasesFromInsideADispatchDoNotRecurse() {
        SendWindow window = new SendWindow(1);
        int n = 50_000;
        int[] depth = {0};
        int[] maxDepth = {0};
        for (int i = 0; i < n; i++) {
            window.acquire(seq -> {
                depth[0]++;
                maxDepth[0] = Math.max(maxDepth[0], depth[0]);
                dispatched.add(seq);
                window.release(seq); // fails synchronously, as when the client is closed
                depth[0]--;
            });
        }
        assertThat(dispatched).hasSize(n);
        assertThat(maxDepth[0]).isEqualTo(1);
    }

    @Test
    void aQueueBuiltWhileTheOldestIsPendingDrainsInOrderWithoutRecursion() {
        SendWindow window = new SendWindow(1);
        window.acquire(dispatched::add); // 1 stays pending
        for (int i = 0; i < 20_000; i++) {
            window.acquire(seq -> {
                dispatched.add(seq);
                window.release(seq);
            });
        }
        assertThat(dispatched).containsExactly(1L);
        window.release(1);
        assertThat(dispatched).hasSize(20_001).isSorted();
    }

    @Test
    void capacityMustFitTheBrokerWindow() {
        assertThatThrownBy(() -> new SendWindow(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SendWindow(SendWindow.BROKER_WINDOW + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
