package io.dledger.broker.store;

import static io.dledger.broker.store.StoreFixtures.createTopic;
import static io.dledger.broker.store.StoreFixtures.produce;
import static io.dledger.broker.store.StoreFixtures.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class QueueTimeSearchTest {
    @TempDir
    Path dir;

    /** Applies entry {@code raftIndex}, stored at {@code timestamp}, with one message per body to {@code queue}. */
    private static void write(MessageStore store, long raftIndex, long timestamp, int queue, String... bodies) {
        EntryWriter w = store.writer();
        w.begin(raftIndex, timestamp);
        w.produce(produce("t", 0, 0, queue, bodies));
        w.commit();
    }

    private static long at(MessageStore store, int queue, long timestamp) throws ReadRejectedException {
        return store.offsetsForTime("t", 0, new int[] {queue}, timestamp).offsets()[0];
    }

    @Test
    void findsTheFirstOffsetStoredAtOrAfterTheTime() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 2);
            write(store, 2, 10, 0, "a"); // offset 0
            write(store, 3, 20, 0, "b", "c"); // 1, 2: one entry, one time
            write(store, 4, 30, 1, "other queue");
            write(store, 5, 40, 0, "d"); // 3
            assertThat(at(store, 0, 0)).as("older than everything: the first").isZero();
            assertThat(at(store, 0, 10)).isZero();
            assertThat(at(store, 0, 11)).isEqualTo(1);
            assertThat(at(store, 0, 20)).as("the first of equal times").isEqualTo(1);
            assertThat(at(store, 0, 21)).isEqualTo(3);
            assertThat(at(store, 0, 40)).isEqualTo(3);
            assertThat(at(store, 0, 41)).as("nothing that new: the end").isEqualTo(4);

            OffsetsAtTime all = store.offsetsForTime("t", 0, new int[0], 25);
            assertThat(all.queues()).as("none named: every queue, in order").containsExactly(0, 1);
            assertThat(all.offsets()).containsExactly(3, 0);
            assertThat(all.incarnation()).isEqualTo(store.topic("t").incarnation());
            assertThat(store.offsetsForTime("t", 0, new int[] {1, 0}, 35).offsets()).as("in the order asked")
                    .containsExactly(1, 3);
        }
    }

    @Test
    void anEmptyQueueAnswersItsEnd() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            assertThat(at(store, 0, 5)).isZero();
        }
    }

    @Test
    void refusesWhatAReadRefuses() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 2);
            assertThatThrownBy(() -> store.offsetsForTime("nope", 0, new int[0], 1))
                    .isInstanceOfSatisfying(ReadRejectedException.class, e -> assertThat(e.reason())
                            .isEqualTo(ReadRejectedException.Reason.TOPIC_NOT_FOUND));
            assertThatThrownBy(() -> store.offsetsForTime("t", 0, new int[] {0, 2}, 1))
                    .isInstanceOfSatisfying(ReadRejectedException.class, e -> assertThat(e.reason())
                            .isEqualTo(ReadRejectedException.Reason.QUEUE_NOT_FOUND));
            assertThatThrownBy(() -> store.offsetsForTime("t", 0, new int[] {-1}, 1))
                    .isInstanceOf(ReadRejectedException.class);
            long incarnation = store.topic("t").incarnation();
            EntryWriter w = store.writer();
            w.begin(2, 2);
            w.deleteTopic("t");
            w.commit();
            createTopic(store, 3, "t", 2);
            assertThatThrownBy(() -> store.offsetsForTime("t", incarnation, new int[0], 1))
                    .isInstanceOfSatisfying(ReadRejectedException.class, e -> assertThat(e.reason())
                            .isEqualTo(ReadRejectedException.Reason.TOPIC_REPLACED));
        }
    }

    @Test
    void afterRetentionTheSearchStartsAtTheFirstKeptOffset() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            for (int i = 0; i < 200; i++) {
                write(store, 2 + i, 1_000 + 10L * i, 0, "m" + i + "-" + "x".repeat(100));
            }
            long min = StoreFixtures.retainFromSegment(store, 500, 3);
            assertThat(min).isPositive();
            assertThat(at(store, 0, 0)).isEqualTo(min);
            assertThat(at(store, 0, 1_000 + 10L * min + 5)).isEqualTo(min + 1);
            assertThat(at(store, 0, 1_000 + 10L * 199)).isEqualTo(199);
        }
    }

    /** Each step checks the header it reads against the index: one that is no message record fails the search. */
    @Test
    void aHeaderThatIsNoMessageRecordFailsLoudly() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            write(store, 2, 10, 0, "a");
            long position = store.data().topics().get("t").queue(0).read(0, 1).getLong();
            java.nio.file.Path segment;
            try (var files = java.nio.file.Files.walk(dir)) {
                segment = files.filter(LogSegment::isSegmentFile).findFirst().orElseThrow();
            }
            try (var ch = java.nio.channels.FileChannel.open(segment, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {0}), position + RecordCodec.MAGIC_POS);
            }
            assertThatThrownBy(() -> at(store, 0, 5)).isInstanceOf(CorruptStoreException.class)
                    .hasMessageContaining("holds no message record");
        }
    }

    /** After a leader change between nodes whose clocks are apart, times step back: any crossing point will do. */
    @Test
    void timesThatStepBackGiveAnOffsetWhereTheyCross() throws Exception {
        long[] times = {10, 20, 30, 40, 5, 15, 25, 35, 45};
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            for (int i = 0; i < times.length; i++) {
                write(store, 2 + i, times[i], 0, "m" + i);
            }
            for (long asked = 0; asked <= 50; asked++) {
                long o = at(store, 0, asked);
                boolean afterOlder = o == 0 || times[(int) o - 1] < asked;
                boolean atNewer = o == times.length || times[(int) o] >= asked;
                assertThat(afterOlder && atNewer).as("offset %d for time %d", o, asked).isTrue();
            }
        }
    }

    @Test
    void agreesWithAScanOfAQueueOverSeveralSegmentsAndIndexFiles() throws Exception {
        Random random = new Random(42);
        long[] times = new long[600];
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            long now = 1_000;
            for (int i = 0; i < times.length; i++) {
                now += random.nextInt(3); // equal times too
                times[i] = now;
                write(store, 2 + i, now, 0, "m" + i + "-" + "x".repeat(random.nextInt(200)));
            }
            assertThat(store.segmentInfos().size()).isGreaterThan(3);
            for (int k = 0; k < 300; k++) {
                long asked = 990 + random.nextInt((int) (now - 980));
                long expected = 0;
                while (expected < times.length && times[(int) expected] < asked) {
                    expected++;
                }
                assertThat(at(store, 0, asked)).as("time %d", asked).isEqualTo(expected);
            }
        }
    }
}
