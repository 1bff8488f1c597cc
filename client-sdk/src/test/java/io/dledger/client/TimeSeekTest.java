package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TimeSeekTest {

    /** One queue whose message at offset o was stored at {@code times[o]}; offsets below {@code min} are gone. */
    private static class Queue implements PullConsumer {
        final long[] times;
        long min;
        final List<Long> pulled = new ArrayList<>();
        IntConsumer afterPull = n -> { };

        Queue(long min, long... times) {
            this.min = min;
            this.times = times;
        }

        @Override
        public PullResult pull(PullRequestOptions o) {
            pulled.add(o.offset());
            assertThat(o.maxMessages()).isEqualTo(1);
            assertThat(o.nodeId()).as("the leader's copy").isNull();
            try {
                if (o.offset() < min || o.offset() > times.length) {
                    throw Errors.from(FakeNode.outOfRange(min, times.length));
                }
                List<ReceivedMessage> m = o.offset() == times.length ? List.of()
                        : List.of(new ReceivedMessage(o.topic(), o.queue(), o.offset(), times[(int) o.offset()], null,
                        null, Map.of(), new byte[1], 1));
                return new PullResult(m, o.offset() + m.size(), min, times.length, "n1", null, null);
            } finally {
                afterPull.accept(pulled.size());
            }
        }

        @Override
        public PullResult pull(String topic, int queue, long offset, int maxMessages) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<PullResult> pullAsync(PullRequestOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void findsTheFirstOffsetStoredAtOrAfterTheTime() {
        Queue q = new Queue(0, 10, 20, 20, 30, 40);
        assertThat(q.offsetForTime("t", 0, 5)).isZero();
        assertThat(q.offsetForTime("t", 0, 10)).isZero();
        assertThat(q.offsetForTime("t", 0, 11)).isEqualTo(1);
        assertThat(q.offsetForTime("t", 0, 20)).as("the first of equal times").isEqualTo(1);
        assertThat(q.offsetForTime("t", 0, 21)).isEqualTo(3);
        assertThat(q.offsetForTime("t", 0, 40)).isEqualTo(4);
        assertThat(q.offsetForTime("t", 0, 41)).as("nothing that new: the end").isEqualTo(5);
    }

    @Test
    void anEmptyQueueAnswersItsEndAndAQueueRetentionCutStartsAtItsFirstOffset() {
        assertThat(new Queue(0).offsetForTime("t", 0, 7)).isZero();
        Queue cut = new Queue(3, 0, 0, 0, 10, 20, 30);
        assertThat(cut.offsetForTime("t", 0, 5)).as("older than everything kept").isEqualTo(3);
        assertThat(cut.offsetForTime("t", 0, 25)).isEqualTo(5);
        Queue emptied = new Queue(3, 0, 0, 0);
        assertThat(emptied.offsetForTime("t", 0, 5)).isEqualTo(3);
    }

    @Test
    void retentionDuringTheSearchMovesItsStartUp() {
        long[] times = new long[1000];
        for (int i = 0; i < times.length; i++) {
            times[i] = i * 10L;
        }
        Queue q = new Queue(0, times);
        q.afterPull = n -> {
            if (n == 2) {
                q.min = 700; // retention ran between the second and the third pull
            }
        };
        assertThat(q.offsetForTime("t", 0, 2_000)).as("offset 200 is gone: the first kept").isEqualTo(700);
        q.afterPull = n -> { };
        q.pulled.clear();
        assertThat(q.offsetForTime("t", 0, 8_005)).isEqualTo(801);
    }

    @Test
    void aMillionMessagesTakeAboutTwentyPulls() {
        long[] times = new long[1_000_000];
        for (int i = 0; i < times.length; i++) {
            times[i] = 1_000 + i / 3;
        }
        Queue q = new Queue(0, times);
        assertThat(q.offsetForTime("t", 0, 1_000 + 123_456)).isEqualTo(3L * 123_456);
        assertThat(q.pulled).hasSizeLessThanOrEqualTo(22);
    }

    @Test
    void anAnswerFromANodeThatPointsToTheLeaderTellsNothingOfTheQueue() {
        int[] behind = {2};
        Queue q = new Queue(0, 10, 20, 30, 40) {
            @Override
            public PullResult pull(PullRequestOptions o) {
                if (behind[0]-- > 0) { // a deposed leader that lacks the queue: no messages, its own empty range
                    pulled.add(o.offset());
                    return new PullResult(List.of(), o.offset(), 0, 0, "n2", "n1", PullResult.FOLLOWER_BEHIND);
                }
                return super.pull(o);
            }
        };
        assertThat(q.offsetForTime("t", 0, 25)).as("not the empty range's 0").isEqualTo(2);
        behind[0] = TimeSeek.MAX_BEHIND_IN_ROW + 1;
        assertThatThrownBy(() -> q.offsetForTime("t", 0, 25)).isInstanceOfSatisfying(DLedgerException.class,
                e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NODE_UNAVAILABLE);
                    assertThat(e.retryable()).isTrue();
                });
    }

    @Test
    void storeTimesThatStepBackAfterALeaderChangeGiveAnOffsetWhereTheTimesCross() {
        // the new leader's clock is 50 ms behind the old one's from offset 6 on
        Queue q = new Queue(0, 100, 110, 120, 130, 140, 150, 105, 115, 125, 135, 145, 155);
        for (long t : new long[] {100, 112, 126, 141, 150, 156}) {
            long at = q.offsetForTime("t", 0, t);
            assertThat(at).as("time %d", t).isBetween(0L, 12L);
            if (at > 0) {
                assertThat(q.times[(int) at - 1]).as("time %d: the message before is older", t).isLessThan(t);
            }
            if (at < 12) {
                assertThat(q.times[(int) at]).as("time %d: the message found is that new", t).isGreaterThanOrEqualTo(t);
            }
        }
    }

    @Test
    void otherErrorsReachTheCaller() {
        Queue q = new Queue(0, 1, 2, 3) {
            @Override
            public PullResult pull(PullRequestOptions o) {
                throw Errors.from(FakeNode.error(Status.Code.NOT_FOUND, ErrorCode.TOPIC_NOT_FOUND, "no topic t", null));
            }
        };
        assertThatThrownBy(() -> q.offsetForTime("t", 0, 2)).isInstanceOfSatisfying(DLedgerException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TOPIC_NOT_FOUND));
    }
}
