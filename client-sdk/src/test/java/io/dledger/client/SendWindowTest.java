package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
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
        assertThatThrownBy(() -> new SendWindow(SendWindow.MAX_CAPACITY + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be within 1..120: 121");
    }

    /**
     * Requests applied in adversarial orders (the newest first, the oldest held back, answers lost and retried)
     * never meet the broker's {@code SEQUENCE_TOO_OLD} while their sequence is pending.
     */
    @Test
    void noPendingSequenceFallsOutOfTheBrokerWindowWhateverTheOrderOfApplying() {
        for (int seed = 0; seed < 100; seed++) {
            Random random = new Random(seed);
            SendWindow window = new SendWindow(SendWindow.MAX_CAPACITY);
            TreeSet<Long> inFlight = new TreeSet<>();
            BrokerWindow broker = new BrokerWindow();
            int newestWeight = random.nextInt(10);
            int oldestWeight = random.nextInt(3);
            for (int i = 0; i < 3_000; i++) {
                window.acquire(inFlight::add);
            }
            while (!inFlight.isEmpty()) {
                int pick = random.nextInt(newestWeight + oldestWeight + 1);
                long seq = pick < newestWeight ? inFlight.last()
                        : pick < newestWeight + oldestWeight ? inFlight.first()
                        : inFlight.stream().skip(random.nextInt(inFlight.size())).findFirst().orElseThrow();
                assertThat(broker.tooOld(seq)).as("seed %d: pending sequence %d refused", seed, seq).isFalse();
                broker.apply(seq);
                if (random.nextInt(10) > 0) { // otherwise the answer is lost: the sequence stays pending, retried
                    inFlight.remove(seq);
                    window.release(seq);
                }
            }
        }
    }

    /** The broker's rule ({@code ProducerWindow}): the last 256 sequences applied, dropped oldest-applied first. */
    private static final class BrokerWindow {
        private final Set<Long> held = new HashSet<>();
        private final ArrayDeque<Long> applied = new ArrayDeque<>();
        private long droppedMax = Long.MIN_VALUE;

        boolean tooOld(long seq) {
            return seq <= droppedMax && !held.contains(seq);
        }

        void apply(long seq) {
            if (held.contains(seq)) {
                return; // a retry answered from the window
            }
            if (applied.size() == SendWindow.BROKER_WINDOW) {
                long dropped = applied.pollFirst();
                held.remove(dropped);
                droppedMax = Math.max(droppedMax, dropped);
            }
            applied.addLast(seq);
            held.add(seq);
        }
    }
}
