package io.dledger.broker.store;

import static io.dledger.broker.store.StoreFixtures.apply;
import static io.dledger.broker.store.StoreFixtures.bodies;
import static io.dledger.broker.store.StoreFixtures.createTopic;
import static io.dledger.broker.store.StoreFixtures.produce;
import static io.dledger.broker.store.StoreFixtures.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import io.dledger.broker.store.ReadRejectedException.Reason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(30)
class MessageStoreTest {
    @TempDir
    Path dir;

    @Test
    void appendsAndReadsInOffsetOrder() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 2);
            ProduceResult r = apply(store, 2, produce("t", 0, 0, 1, "a", "b", "c"));
            assertThat(r.status()).isEqualTo(ProduceResult.Status.OK);
            assertThat(r.offsets()).containsExactly(0, 1, 2);
            assertThat(r.queues()).containsExactly(1, 1, 1);
            apply(store, 3, produce("t", 0, 0, 1, "d"));
            assertThat(bodies(store, "t", 1)).containsExactly("a", "b", "c", "d");
            assertThat(bodies(store, "t", 0)).isEmpty();
            MessageRecord m = store.read("t", 0, 1, 3, 10, Long.MAX_VALUE).records().get(0);
            assertThat(m.raftIndex()).isEqualTo(3);
            assertThat(m.storeTimestamp()).isEqualTo(1003);
            assertThat(m.key()).isEqualTo("k-d");
            assertThat(m.properties()).containsEntry("p", "d");
            assertThat(store.lastAppliedIndex()).isEqualTo(3);
        }
    }

    @Test
    void rejectsUnknownTopicQueueAndOffsets() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 2);
            apply(store, 2, produce("t", 0, 0, 0, "a"));
            assertThat(apply(store, 3, produce("nope", 0, 0, 0, "a")).status())
                    .isEqualTo(ProduceResult.Status.TOPIC_NOT_FOUND);
            assertThat(apply(store, 4, produce("t", 0, 0, 2, "a")).status())
                    .isEqualTo(ProduceResult.Status.QUEUE_NOT_FOUND);
            assertThat(store.lastAppliedIndex()).isEqualTo(4);
            assertThatThrownBy(() -> store.read("nope", 0, 0, 0, 1, 1)).isInstanceOf(ReadRejectedException.class)
                    .extracting(e -> ((ReadRejectedException) e).reason())
                    .isEqualTo(ReadRejectedException.Reason.TOPIC_NOT_FOUND);
            assertThatThrownBy(() -> store.read("t", 0, 5, 0, 1, 1))
                    .extracting(e -> ((ReadRejectedException) e).reason())
                    .isEqualTo(ReadRejectedException.Reason.QUEUE_NOT_FOUND);
            assertThatThrownBy(() -> store.read("t", 0, 0, 2, 1, 1))
                    .extracting(e -> ((ReadRejectedException) e).maxOffset()).isEqualTo(1L);
            assertThatThrownBy(() -> store.read("t", 0, 0, -1, 1, 1)).isInstanceOf(ReadRejectedException.class);
            assertThat(store.read("t", 0, 0, 1, 1, 1).records()).isEmpty();
        }
    }

    @Test
    void createTopicIsIdempotentAndDetectsConflicts() {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            EntryWriter w = store.writer();
            w.begin(1, 1);
            assertThat(w.createTopic("t", 4, 0, false).status()).isEqualTo(TopicResult.Status.CREATED);
            assertThat(w.createTopic("t", 4, 0, false).status()).isEqualTo(TopicResult.Status.EXISTS);
            assertThat(w.createTopic("t", 2, 0, false).status()).isEqualTo(TopicResult.Status.CONFLICT);
            // the limit travels in the command, so every replica decides the same
            assertThat(w.createTopic("u", 5, 8, false))
                    .isEqualTo(new TopicResult(TopicResult.Status.LIMIT_EXCEEDED, "u", 4));
            assertThat(w.createTopic("u", 4, 8, false).status()).isEqualTo(TopicResult.Status.CREATED);
            w.commit();
            assertThat(store.topic("t").queues()).isEqualTo(4);
            assertThat(store.topic("u").queues()).isEqualTo(4);
        }
    }

    @Test
    void createsRefuseCaseVariantsOnlyWhenTheCommandSaysSo() {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            EntryWriter w = store.writer();
            w.begin(1, 1);
            assertThat(w.createTopic("Orders", 2, 0, true).status()).isEqualTo(TopicResult.Status.CREATED);
            // the second of two creates that both passed the leader's check, in the same entry or a later one
            assertThat(w.createTopic("orders", 3, 0, true))
                    .isEqualTo(new TopicResult(TopicResult.Status.CASE_VARIANT_EXISTS, "Orders", 2));
            assertThat(w.createTopic("Orders", 2, 0, true).status()).isEqualTo(TopicResult.Status.EXISTS);
            // entries written before the flag existed create the variant, as the versions that wrote them did
            assertThat(w.createTopic("ORDERS", 1, 0, false).status()).isEqualTo(TopicResult.Status.CREATED);
            w.commit();
            assertThat(store.topics()).extracting(TopicView::name).containsExactly("ORDERS", "Orders");
        }
    }

    @Test
    void openRemovesTheTemporaryFileOfAnInterruptedCheckpointWrite() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            apply(store, 2, produce("t", 0, 0, 0, "kept"));
        }
        Path leftover = dir.resolve("checkpoint." + java.util.UUID.randomUUID()
                + io.dledger.broker.disk.DurableFiles.TEMP_SUFFIX);
        Files.write(leftover, new byte[] {1, 2, 3}); // as a kill -9 between write and rename leaves it
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            assertThat(Files.exists(leftover)).isFalse();
            assertThat(bodies(store, "t", 0)).containsExactly("kept");
        }
    }

    /**
     * Reads through the segments' mappings (the default) and through positional reads ({@code mappedReadBytes(0)})
     * give the same messages, and the bodies of what was read outlive the store's mappings: a body still pointing
     * into a mapping unmapped at close would crash the JVM here.
     */
    @Test
    void mappedAndPositionalReadsAgreeAndBodiesOutliveTheMappings(@TempDir Path other) throws Exception {
        List<String> expected = new ArrayList<>();
        List<MessageRecord> kept;
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 3);
            for (int i = 0; i < 120; i++) { // three queues taking turns: a queue's records are not adjacent
                String body = "m" + i + "-" + "y".repeat(i % 40);
                if (i % 3 == 1) {
                    expected.add(body);
                }
                apply(store, 2 + i, produce("t", 0, 0, i % 3, body));
            }
            assertThat(store.data().log().segments().size()).isGreaterThan(1);
            // one run inside the first (sealed) segment...
            kept = store.read("t", 0, 1, 0, 3, Long.MAX_VALUE).records();
            try (MappedView v = store.data().log().view(0, 1024)) {
                assertThat(v).as("...which reads through its mapping").isNotNull();
            }
            assertThat(bodies(store, "t", 1)).isEqualTo(expected);
        }
        assertThat(kept.stream().map(m -> StandardCharsets.UTF_8.decode(m.body().duplicate()).toString()))
                .containsExactlyElementsOf(expected.subList(0, 3)); // the store and its mappings are gone
        copyTree(dir, other);
        try (MessageStore store = MessageStore.open(StoreConfig.builder(other).segmentBytes(8 * 1024)
                .indexEntriesPerFile(16).mappedReadBytes(0).build())) {
            assertThat(bodies(store, "t", 1)).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @CsvSource({"16, 1024", "1024, 16", "16, 48"})
    void indexesWrittenWithAnotherEntriesPerFileAreRebuilt(int before, int after) throws Exception {
        List<String> expected = new ArrayList<>();
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir).segmentBytes(8 * 1024)
                .indexEntriesPerFile(before).build())) {
            createTopic(store, 1, "t", 1);
            for (int i = 0; i < 100; i++) {
                expected.add("m" + i);
                apply(store, 2 + i, produce("t", 0, 0, 0, "m" + i));
            }
        }
        StoreConfig changed = StoreConfig.builder(dir).segmentBytes(8 * 1024).indexEntriesPerFile(after).build();
        try (MessageStore store = MessageStore.open(changed)) {
            assertThat(bodies(store, "t", 0)).isEqualTo(expected);
            for (int i = 100; i < 140; i++) {
                expected.add("m" + i);
                apply(store, 2 + i, produce("t", 0, 0, 0, "m" + i));
            }
            assertThat(bodies(store, "t", 0)).isEqualTo(expected);
        }
        try (MessageStore store = MessageStore.open(changed)) {
            assertThat(store.failure()).isNull();
            assertThat(bodies(store, "t", 0)).isEqualTo(expected);
        }
    }

    @Test
    void rollsSegmentsAndIndexFilesAndSurvivesReopen() throws Exception {
        List<String> expected = new ArrayList<>();
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            for (int i = 0; i < 200; i++) {
                String body = "message-" + i + "-" + "x".repeat(i % 50);
                expected.add(body);
                apply(store, 2 + i, produce("t", 0, 0, 0, body));
            }
            assertThat(bodies(store, "t", 0)).isEqualTo(expected);
        }
        try (Stream<Path> s = Files.list(dir.resolve("log"))) {
            assertThat(s.count()).isGreaterThan(3);
        }
        try (Stream<Path> s = Files.list(dir.resolve("index/t/0"))) {
            assertThat(s.count()).isGreaterThan(10);
        }
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            assertThat(store.lastAppliedIndex()).isEqualTo(201);
            assertThat(bodies(store, "t", 0)).isEqualTo(expected);
            apply(store, 202, produce("t", 0, 0, 0, "after"));
            assertThat(store.read("t", 0, 0, 200, 1, 100).records().get(0).offset()).isEqualTo(200);
        }
    }

    @Test
    void idempotentProducerIsDeduplicatedAcrossEntriesAndRestarts() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            ProduceResult first = apply(store, 2, produce("t", 42, 7, 0, "a", "b"));
            ProduceResult again = apply(store, 3, produce("t", 42, 7, 0, "a", "b"));
            assertThat(again.status()).isEqualTo(ProduceResult.Status.DUPLICATE);
            assertThat(again.offsets()).containsExactly(first.offsets());
            assertThat(again.raftIndex()).isEqualTo(2);
            EntryWriter w = store.writer();
            w.begin(4, 4);
            ProduceResult x = w.produce(produce("t", 42, 8, 0, "c"));
            ProduceResult y = w.produce(produce("t", 42, 8, 0, "c"));
            w.commit();
            assertThat(x.status()).isEqualTo(ProduceResult.Status.OK);
            assertThat(y.status()).isEqualTo(ProduceResult.Status.DUPLICATE);
            assertThat(y.offsets()).containsExactly(x.offsets());
        }
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            ProduceResult again = apply(store, 5, produce("t", 42, 7, 0, "a", "b"));
            assertThat(again.status()).isEqualTo(ProduceResult.Status.DUPLICATE);
            assertThat(again.offsets()).containsExactly(0, 1);
            assertThat(bodies(store, "t", 0)).containsExactly("a", "b", "c");
        }
    }

    /**
     * A producer id and sequence stored for one topic are no retry of a request to another: refused, nothing stored,
     * and the first request's queues and offsets not shown (another token's topic), in the same entry or a later one.
     */
    @Test
    void aSequenceStoredForOneTopicIsRefusedForAnother() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "orders", 1);
            createTopic(store, 2, "billing", 1);
            assertThat(apply(store, 3, produce("orders", 42, 7, 0, "o")).status()).isEqualTo(ProduceResult.Status.OK);
            ProduceResult other = apply(store, 4, produce("billing", 42, 7, 0, "b"));
            assertThat(other.status()).isEqualTo(ProduceResult.Status.SEQUENCE_REUSED);
            assertThat(other.offsets()).isEmpty();
            assertThat(other.detail()).contains("stored for another topic").doesNotContain("orders");
            EntryWriter w = store.writer();
            w.begin(5, 5);
            assertThat(w.produce(produce("billing", 42, 8, 0, "b2")).status()).isEqualTo(ProduceResult.Status.OK);
            assertThat(w.produce(produce("orders", 42, 8, 0, "o2")).status())
                    .as("in the same entry").isEqualTo(ProduceResult.Status.SEQUENCE_REUSED);
            w.commit();
            assertThat(apply(store, 6, produce("orders", 42, 7, 0, "o")).status()).as("a real retry")
                    .isEqualTo(ProduceResult.Status.DUPLICATE);
            assertThat(bodies(store, "orders", 0)).containsExactly("o");
            assertThat(bodies(store, "billing", 0)).containsExactly("b2");
        }
    }

    @Test
    void sequencesOlderThanTheWindowAreRejected() {
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir).build())) {
            createTopic(store, 1, "t", 1);
            for (int s = 0; s <= ProducerWindow.CAPACITY; s++) {
                apply(store, 2 + s, produce("t", 9, s, 0, "m"));
            }
            assertThat(apply(store, 5000, produce("t", 9, 0, 0, "m")).status())
                    .isEqualTo(ProduceResult.Status.SEQUENCE_TOO_OLD);
            assertThat(apply(store, 5001, produce("t", 9, 1, 0, "m")).status())
                    .isEqualTo(ProduceResult.Status.DUPLICATE);
        }
    }

    @Test
    void aListenerThatThrowsFailsNeitherTheEntryNorTheStore() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 2);
            List<String> woken = new ArrayList<>();
            store.setPublishListener((topic, queue) -> {
                woken.add(topic + "/" + queue);
                throw new IllegalStateException("reader pool closed");
            });
            ProduceResult r = apply(store, 2, produce("t", 0, 0, 1, "a"));
            apply(store, 3, produce("t", 0, 1, 0, "b"));

            assertThat(r.status()).isEqualTo(ProduceResult.Status.OK);
            assertThat(woken).containsExactly("t/1", "t/0");
            assertThat(store.failure()).isNull();
            assertThat(store.lastAppliedIndex()).isEqualTo(3);
            assertThat(bodies(store, "t", 1)).containsExactly("a");
            assertThat(bodies(store, "t", 0)).containsExactly("b");
        }
    }

    @Test
    void failedStoreTakesNoMoreCheckpoints() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            apply(store, 2, produce("t", 0, 0, 0, "a"));
            store.persist(store.captureCheckpoint());
            store.markFailed("disk on fire");
            apply(store, 3, produce("t", 0, 0, 0, "b"));
            store.persist(store.captureCheckpoint());
        }
        assertThat(CheckpointCodec.read(dir.resolve("checkpoint")).raftIndex()).isEqualTo(2);
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            assertThat(store.failure()).isNull();
            assertThat(store.lastAppliedIndex()).isEqualTo(3);
            assertThat(bodies(store, "t", 0)).containsExactly("a", "b");
        }
    }

    @Test
    void interruptedSnapshotInstallRestartsEmpty() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            apply(store, 2, produce("t", 0, 0, 0, "a"));
        }
        Files.writeString(dir.resolve(StoreLoader.INSTALL_MARKER), "/somewhere");
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            assertThat(store.lastAppliedIndex()).isZero();
            assertThat(store.topics()).isEmpty();
            assertThat(Files.exists(dir.resolve(StoreLoader.INSTALL_MARKER))).isFalse();
        }
    }

    @Test
    void storeTimestampsSurviveRestart() {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            apply(store, 7, produce("t", 0, 0, 0, "a"));
            assertThat(store.lastTimestamp()).isEqualTo(1007);
        }
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            assertThat(store.lastTimestamp()).isEqualTo(1007);
        }
    }

    /** groups.max.committed.offsets counts queue offsets of all groups; updates always pass, deletions free room. */
    @Test
    void committedOffsetsBeyondTheLimitAreRefusedAndCountedAgainAfterARestart() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 4);
            apply(store, 2, produce("t", 0, 0, 0, "a"));
            assertThat(commit(store, 3, "g1", 0, 1)).isEqualTo(OffsetsResult.Status.OK);
            OffsetsResult refused = commitResult(store, 4, "g2", 0, 1);
            assertThat(refused.status()).isEqualTo(OffsetsResult.Status.LIMIT_EXCEEDED);
            assertThat(refused.detail()).contains("2 committed queue offsets; 2 more would exceed "
                    + "groups.max.committed.offsets (3)");
            assertThat(store.committedOffsets("g2", "t")).as("nothing of it").isEmpty();
            assertThat(commit(store, 5, "g1", 0, 1)).as("an update adds nothing").isEqualTo(OffsetsResult.Status.OK);
            assertThat(commit(store, 6, "g2", 0)).isEqualTo(OffsetsResult.Status.OK);
            assertThat(store.consumerOffsets().size()).isEqualTo(3);
            EntryWriter w = store.writer();
            w.begin(7, 7);
            assertThat(w.deleteGroupOffsets("g1", "t")).isTrue();
            w.commit();
            assertThat(store.consumerOffsets().size()).isEqualTo(1);
            assertThat(commit(store, 8, "g3", 0, 1)).isEqualTo(OffsetsResult.Status.OK);
        }
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            assertThat(store.consumerOffsets().size()).as("recovered from the log").isEqualTo(3);
            store.persist(store.captureCheckpoint());
        }
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            assertThat(store.consumerOffsets().size()).as("restored from the checkpoint").isEqualTo(3);
            assertThat(commit(store, 9, "g4", 0)).isEqualTo(OffsetsResult.Status.LIMIT_EXCEEDED);
            EntryWriter w = store.writer();
            w.begin(10, 10);
            assertThat(w.deleteTopic("t")).isTrue();
            w.commit();
            assertThat(store.consumerOffsets().size()).isZero();
        }
    }

    /** Commits offset 0 of {@code queues} of topic t for {@code group}, under a limit of 3, in entry {@code index}. */
    private static OffsetsResult.Status commit(MessageStore store, long index, String group, int... queues) {
        return commitResult(store, index, group, queues).status();
    }

    private static OffsetsResult commitResult(MessageStore store, long index, String group, int... queues) {
        EntryWriter w = store.writer();
        w.begin(index, index);
        OffsetsResult r = w.commitOffsets(group, "t", 0, queues, new long[queues.length], 3);
        w.commit();
        return r;
    }

    @Test
    void consumerOffsetsAreStoredRecoveredAndValidated(@TempDir Path crashCopy) throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 2);
            apply(store, 2, produce("t", 0, 0, 1, "a", "b", "c"));
            EntryWriter w = store.writer();
            w.begin(3, 3);
            assertThat(w.commitOffsets("g1", "t", 0, new int[] {1}, new long[] {2}, 0).status())
                    .isEqualTo(OffsetsResult.Status.OK);
            assertThat(w.commitOffsets("g1", "t", 0, new int[] {1}, new long[] {3}, 0).status())
                    .isEqualTo(OffsetsResult.Status.OK);
            OffsetsResult past = w.commitOffsets("g1", "t", 0, new int[] {1}, new long[] {4}, 0);
            assertThat(past.status()).isEqualTo(OffsetsResult.Status.OFFSET_OUT_OF_RANGE);
            assertThat(past.maxOffset()).isEqualTo(3); // the bounds travel to the client in the error detail
            assertThat(w.commitOffsets("g1", "t", 0, new int[] {2}, new long[] {0}, 0).status())
                    .isEqualTo(OffsetsResult.Status.QUEUE_NOT_FOUND);
            assertThat(w.commitOffsets("g1", "nope", 0, new int[] {0}, new long[] {0}, 0).status())
                    .isEqualTo(OffsetsResult.Status.TOPIC_NOT_FOUND);
            w.commit();
            assertThat(store.committedOffsets("g1", "t")).containsExactly(java.util.Map.entry(1, 3L));
            assertThat(store.committedOffsets("g2", "t")).isEmpty();
            store.persist(store.captureCheckpoint());
            w.begin(4, 4);
            w.commitOffsets("g2", "t", 0, new int[] {0, 1}, new long[] {0, 1}, 0);
            w.commit();
        }
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            assertThat(store.committedOffsets("g1", "t")).containsExactly(java.util.Map.entry(1, 3L));
            assertThat(store.committedOffsets("g2", "t")).containsEntry(0, 0L).containsEntry(1, 1L);
        }
    }

    @Test
    void retentionDropsOldSegmentsAndMovesQueueMinimums() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 2);
            for (int i = 0; i < 200; i++) {
                apply(store, 2 + i, produce("t", 0, 0, i % 2, "m" + i + "-" + "x".repeat(100)));
            }
            List<SegmentInfo> before = store.segmentInfos();
            assertThat(before.size()).isGreaterThan(4);
            long keep = before.get(3).firstIndex();
            EntryWriter w = store.writer();
            w.begin(500, 500);
            w.retain(keep);
            w.commit();
            assertThat(store.segmentInfos().get(0).basePosition()).isEqualTo(before.get(3).basePosition());
            long min0 = store.topic("t").minOffsets()[0];
            assertThat(min0).isPositive();
            assertThatThrownBy(() -> store.read("t", 0, 0, min0 - 1, 1, 1)).isInstanceOf(ReadRejectedException.class)
                    .extracting(e -> ((ReadRejectedException) e).minOffset()).isEqualTo(min0);
            assertThat(store.read("t", 0, 0, min0, 1, 1000).records().get(0).raftIndex()).isGreaterThanOrEqualTo(keep);
            assertThat(store.stats().messages()).isLessThan(200);
        }
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            long min0 = store.topic("t").minOffsets()[0];
            assertThat(store.read("t", 0, 0, min0, 1000, Long.MAX_VALUE).records()).hasSize((int) (100 - min0));
        }
    }

    /**
     * Retention writes its checkpoint before it deletes a file: a node killed right after that checkpoint, with
     * every old segment and index file still there, opens at the new minimums and reads everything from them.
     */
    @Test
    void retentionKilledAfterItsCheckpointLeavesALoadableStore(@TempDir Path copy) throws Exception {
        long keep;
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 2);
            for (int i = 0; i < 400; i++) {
                apply(store, 2 + i, produce("t", 0, 0, i % 2, "m" + i + "-" + "x".repeat(100)));
            }
            keep = store.segmentInfos().get(5).firstIndex();
            copyTree(dir, copy); // the files as they were before retention deleted any
            EntryWriter w = store.writer();
            w.begin(500, 500);
            w.retain(keep);
            w.commit();
            Files.copy(dir.resolve("checkpoint"), copy.resolve("checkpoint"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        try (MessageStore store = MessageStore.open(smallConfig(copy))) {
            for (int q = 0; q < 2; q++) {
                long min = store.topic("t").minOffsets()[q];
                assertThat(min).isPositive();
                List<MessageRecord> rest = store.read("t", 0, q, min, 1000, Long.MAX_VALUE).records();
                assertThat(rest).hasSize((int) (200 - min));
                assertThat(rest.get(0).raftIndex()).isGreaterThanOrEqualTo(keep - 1);
            }
        }
    }

    /**
     * Retention inside the first segment moves the minimums without deleting anything, and its entry writes no
     * record: its checkpoint must survive a kill -9. (That a background checkpoint captured before it, at the
     * same entry, does not replace it is {@link CheckpointWriterTest}'s.)
     */
    @Test
    void retentionMinimumsSurviveAKill(@TempDir Path copy) throws Exception {
        long[] mins;
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            for (int i = 0; i < 30; i++) {
                apply(store, 2 + i, produce("t", 0, 0, 0, "m" + i));
            }
            assertThat(store.segmentInfos()).hasSize(1);
            EntryWriter w = store.writer();
            w.begin(100, 100);
            w.retain(12);
            w.commit();
            mins = store.topic("t").minOffsets();
            assertThat(mins).containsExactly(10);
            copyTree(dir, copy); // a kill -9 now
        }
        try (MessageStore store = MessageStore.open(smallConfig(copy))) {
            assertThat(store.topic("t").minOffsets()).containsExactly(mins);
            assertThat(store.read("t", 0, 0, 10, 100, Long.MAX_VALUE).records()).hasSize(20);
        }
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!f.getFileName().toString().equals("LOCK")) {
                    Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Queue minimums follow the Raft index retention names, not a replica's own segment boundaries. */
    @Test
    void retentionGivesTheSameMinimumsWhateverTheSegmentSize(@TempDir Path other) throws Exception {
        StoreConfig bigSegments = StoreConfig.builder(other).segmentBytes(20 * 1024).indexEntriesPerFile(16).build();
        long[] expected;
        try (MessageStore small = MessageStore.open(smallConfig(dir));
             MessageStore big = MessageStore.open(bigSegments)) {
            for (MessageStore store : List.of(small, big)) {
                createTopic(store, 1, "t", 2);
                for (int i = 0; i < 200; i++) {
                    apply(store, 2 + i, produce("t", 0, 0, i % 2, "m" + i + "-" + "x".repeat(100)));
                }
            }
            long keep = small.segmentInfos().get(3).firstIndex(); // a boundary of the small segments only
            assertThat(big.segmentInfos()).extracting(SegmentInfo::firstIndex).doesNotContain(keep);
            for (MessageStore store : List.of(small, big)) {
                EntryWriter w = store.writer();
                w.begin(500, 500);
                w.retain(keep);
                w.commit();
            }
            assertThat(big.topic("t").minOffsets()).containsExactly(small.topic("t").minOffsets());
            assertThat(small.topic("t").minOffsets()[0]).isPositive();
            for (MessageStore store : List.of(small, big)) {
                long min0 = store.topic("t").minOffsets()[0];
                assertThat(store.read("t", 0, 0, min0, 1, 1000).records().get(0).raftIndex())
                        .isGreaterThanOrEqualTo(keep);
                assertThatThrownBy(() -> store.read("t", 0, 0, min0 - 1, 1, 1))
                        .isInstanceOf(ReadRejectedException.class);
            }
            expected = small.topic("t").minOffsets();
        }
        // the RETAIN entry wrote no record: the minimums must come back from the checkpoint after a restart...
        try (MessageStore big = MessageStore.open(bigSegments)) {
            assertThat(big.topic("t").minOffsets()).containsExactly(expected);
        }
        // ...and an index rebuild must pass over the messages below them that the big segments still hold
        try (Stream<Path> idx = Files.walk(other.resolve("index"))) {
            Path first = idx.filter(f -> f.toString().endsWith(".idx")).sorted().reduce((a, b) -> b).orElseThrow();
            Files.write(first, new byte[0]);
        }
        try (MessageStore big = MessageStore.open(bigSegments)) {
            assertThat(big.topic("t").minOffsets()).containsExactly(expected);
            for (int q = 0; q < 2; q++) {
                assertThat(big.read("t", 0, q, expected[q], 1000, Long.MAX_VALUE).records())
                        .hasSize((int) (100 - expected[q]));
            }
        }
    }

    @Test
    void deletedTopicsVanishAndCanBeCreatedAgain(@TempDir Path crashed) throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            apply(store, 2, produce("t", 0, 0, 0, "a", "b"));
            EntryWriter w = store.writer();
            w.begin(3, 3);
            w.commitOffsets("g", "t", 0, new int[] {0}, new long[] {1}, 0);
            assertThat(w.deleteTopic("t")).isTrue();
            assertThat(w.deleteTopic("t")).isFalse();
            w.commit();
            assertThat(store.topic("t")).isNull();
            assertThat(store.committedOffsets("g", "t")).isEmpty();
            assertThatThrownBy(() -> store.read("t", 0, 0, 0, 1, 1)).isInstanceOf(ReadRejectedException.class);
            createTopic(store, 4, "t", 3);
            assertThat(apply(store, 5, produce("t", 0, 0, 2, "new")).offsets()).containsExactly(0);
            assertThat(store.topic("t").incarnation()).isEqualTo(4);

            // what a consumer of the first topic (incarnation 1) pulls or commits is refused: its offsets are the
            // old topic's; the new topic's own incarnation, or none (0), are served
            assertThatThrownBy(() -> store.read("t", 1, 2, 0, 1, 1)).isInstanceOfSatisfying(
                    ReadRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOPIC_REPLACED));
            assertThat(store.read("t", 4, 2, 0, 1, 1).records()).hasSize(1);
            QueueRead any = store.read("t", 0, 2, 0, 1, 1);
            assertThat(any.records()).hasSize(1);
            assertThat(any.incarnation()).as("the incarnation read").isEqualTo(4);
            assertThat(new long[] {any.minOffset(), any.maxOffset()}).as("the queue's range").containsExactly(0, 1);
            assertThatThrownBy(() -> store.read("t", 9, 2, 0, 1, 1)).as("a newer topic than this store has")
                    .isInstanceOfSatisfying(ReadRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.TOPIC_NOT_FOUND));
            w.begin(6, 6);
            assertThat(w.commitOffsets("g", "t", 1, new int[] {2}, new long[] {1}, 0).status())
                    .isEqualTo(OffsetsResult.Status.TOPIC_REPLACED);
            assertThat(w.commitOffsets("g", "t", 4, new int[] {2}, new long[] {1}, 0).status())
                    .isEqualTo(OffsetsResult.Status.OK);
            assertThat(w.commitOffsets("g", "t", 9, new int[] {2}, new long[] {1}, 0).status())
                    .as("no consumer can know a newer one: taken, as on a replica that does not know the topic's")
                    .isEqualTo(OffsetsResult.Status.OK);
            w.commit();
            assertThat(store.committedOffsets("g", "t")).containsExactly(java.util.Map.entry(2, 1L));
        }
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            assertThat(store.topic("t").queues()).isEqualTo(3);
            assertThat(store.topic("t").incarnation()).isEqualTo(4);
            assertThat(bodies(store, "t", 2)).containsExactly("new");
        }
    }

    /**
     * The leader no longer sends this (CommandProposer), but older versions did: such an entry creates the topic
     * afresh, as they did, without the old topic's deferred deletion removing the new one's files.
     */
    @Test
    void aTopicDeletedAndCreatedAgainInOneEntryStartsAfresh() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 2);
            apply(store, 2, produce("t", 0, 0, 1, "old"));
            EntryWriter w = store.writer();
            w.begin(3, 3);
            assertThat(w.deleteTopic("t")).isTrue();
            assertThat(w.createTopic("t", 2, 0, false).status()).isEqualTo(TopicResult.Status.CREATED);
            w.commit();
            for (int i = 0; i < 40; i++) { // enough for new index files of both queues
                assertThat(apply(store, 4 + i, produce("t", 0, 0, i % 2, "new" + i)).offsets()).containsExactly(i / 2);
            }
        }
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            assertThat(bodies(store, "t", 1)).hasSize(20).startsWith("new1", "new3");
        }
    }

    /** A kill -9 right after a topic's files went finds a checkpoint that no longer has the topic. */
    @Test
    void aDeletedTopicLeavesTheCheckpointBeforeItsFilesGo() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "gone", 1);
            createTopic(store, 2, "t", 1);
            apply(store, 3, produce("t", 0, 0, 0, "kept"));
            EntryWriter w = store.writer();
            w.begin(4, 4);
            assertThat(w.deleteTopic("gone")).isTrue();
            w.commit();
            Checkpoint onDisk = CheckpointCodec.read(dir.resolve("checkpoint"));
            assertThat(onDisk.raftIndex()).isEqualTo(4);
            assertThat(onDisk.topics()).extracting(Checkpoint.Topic::name).containsExactly("t");
            assertThat(Files.exists(dir.resolve("index").resolve("gone"))).isFalse();
        }
    }

    @Test
    void secondOpenOfTheSameDirectoryFails() {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            assertThatThrownBy(() -> MessageStore.open(smallConfig(dir))).isInstanceOf(StoreException.class)
                    .hasMessageContaining("in use");
        }
    }

    @Test
    void snapshotFilesInstallIntoAnotherStore(@TempDir Path other, @TempDir Path snap) throws Exception {
        List<String> names;
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 2);
            for (int i = 0; i < 100; i++) {
                apply(store, 2 + i, produce("t", 5, i, i % 2, "m" + i));
            }
            Checkpoint c = store.captureCheckpoint();
            names = store.linkSnapshotFiles(c, snap);
            store.persist(c);
            CheckpointCodec.write(snap.resolve("checkpoint"), c);
            apply(store, 500, produce("t", 5, 1000, 0, "after-snapshot")); // grows linked files
        }
        assertThat(names).anyMatch(n -> n.startsWith("log/")).anyMatch(n -> n.startsWith("index/t/1/"));
        try (MessageStore target = MessageStore.open(smallConfig(other))) {
            createTopic(target, 1, "stale", 1);
            target.installSnapshot(snap);
            assertThat(target.lastAppliedIndex()).isEqualTo(101);
            assertThat(target.topic("stale")).isNull();
            assertThat(bodies(target, "t", 0)).hasSize(50).doesNotContain("after-snapshot");
            assertThat(bodies(target, "t", 1)).hasSize(50);
            assertThat(apply(target, 102, produce("t", 5, 3, 0, "dup")).status())
                    .isEqualTo(ProduceResult.Status.DUPLICATE);
            assertThat(apply(target, 103, produce("t", 5, 1000, 0, "x")).offsets()).containsExactly(50);
        }
    }
}
