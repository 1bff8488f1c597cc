package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dledger.proto.HeartbeatResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A push consumer's membership of a group, against a scripted leader. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PushConsumerGroupTest {
    private static final long SESSION_MS = 2000;
    private FakeCluster cluster;
    private DLedgerClient client;

    @BeforeEach
    void start() {
        cluster = new FakeCluster("n1", "n2", "n3").startAll();
        cluster.elect("n1", 1);
        client = cluster.clientBuilder().build();
    }

    @AfterEach
    void stop() {
        client.close();
        cluster.close();
    }

    /**
     * The broker gives a member's queues away a session after the last heartbeat it received; the member must have
     * stopped consuming by then, even while its heartbeat call is still waiting (here: never answered).
     */
    @Test
    void aMemberOutOfTouchStopsConsumingBeforeTheBrokerCouldGiveItsQueuesAway() {
        FakeNode n1 = cluster.node("n1");
        AtomicLong lastAnswered = new AtomicLong();
        AtomicBoolean answer = new AtomicBoolean(true);
        List<StreamObserver<HeartbeatResponse>> unanswered = new CopyOnWriteArrayList<>();
        n1.heartbeat = (r, o) -> {
            if (answer.get()) {
                lastAnswered.set(System.nanoTime());
                grantQueue0(o, 500);
            } else {
                unanswered.add(o); // the leader is gone: the call hangs until its deadline
            }
        };
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("g", "t").build(), m -> { });
        try {
            consumer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.assignedQueues().contains(0));
            answer.set(false);
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.assignedQueues().isEmpty());
            long sinceLastAnswered = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastAnswered.get());
            assertThat(sinceLastAnswered).isLessThan(SESSION_MS);
            assertThat(n1.commits).isEmpty(); // nothing processed, and a fenced queue is never committed

            answer.set(true); // back in touch: the queue is consumed again
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.assignedQueues().contains(0));
        } finally {
            consumer.close();
        }
    }

    /** A commit that hangs (the leader is gone) must not hold up the lease check, nor land after the lease. */
    @Test
    void aHangingCommitDoesNotKeepAMemberConsumingPastItsLease() {
        FakeNode n1 = cluster.node("n1");
        AtomicLong lastAnswered = new AtomicLong();
        AtomicLong lastDelivered = new AtomicLong();
        AtomicBoolean answer = new AtomicBoolean(true);
        n1.heartbeat = (r, o) -> {
            if (answer.get()) {
                lastAnswered.set(System.nanoTime());
                grantQueue0(o, 500);
            }
        };
        n1.commitOffsets = (r, o) -> {
            if (answer.get()) {
                FakeNode.reply(o, io.dledger.proto.CommitOffsetsResponse.getDefaultInstance());
            }
        };
        n1.pull = oneMessagePerPull(20);
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("g", "t")
                .commitInterval(Duration.ofMillis(100)).build(), m -> lastDelivered.set(System.nanoTime()));
        try {
            consumer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.processed() > 10 && !n1.commits.isEmpty());
            answer.set(false);
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.assignedQueues().isEmpty());
            long processedAtFence = consumer.processed();
            assertThat(TimeUnit.NANOSECONDS.toMillis(lastDelivered.get() - lastAnswered.get())).isLessThan(SESSION_MS);
            int commitsAtFence = n1.commits.size();
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
            assertThat(consumer.processed()).isLessThanOrEqualTo(processedAtFence + 1); // at most the one in hand
            assertThat(n1.commits).hasSize(commitsAtFence); // nothing committed once the lease is over
        } finally {
            consumer.close();
        }
    }

    /**
     * A periodic commit retried (BUSY) while the queue is revoked must not land after the revocation's final
     * commit: the next owner starts at the last commit that landed.
     */
    @Test
    void theFinalCommitOfARevokedQueueLandsLast() {
        FakeNode n1 = cluster.node("n1");
        AtomicBoolean granted = new AtomicBoolean(true);
        AtomicBoolean busyOnce = new AtomicBoolean(true);
        AtomicLong delivered = new AtomicLong();
        n1.heartbeat = (r, o) -> FakeNode.reply(o, HeartbeatResponse.newBuilder()
                .addAllQueues(granted.get() ? List.of(0) : List.of()).setHeartbeatIntervalMs(200)
                .setSessionTimeoutMs((int) SESSION_MS).build());
        n1.pull = oneMessagePerPull(5);
        AtomicLong busyOffset = new AtomicLong(-1);
        n1.commitOffsets = (r, o) -> {
            if (delivered.get() > 20 && busyOnce.compareAndSet(true, false)) {
                busyOffset.set(r.getOffsets(0).getOffset());
                granted.set(false); // the group moves the queue while this periodic commit is being retried
                CompletableFuture.delayedExecutor(600, TimeUnit.MILLISECONDS).execute(() -> o.onError(
                        FakeNode.error(io.grpc.Status.Code.RESOURCE_EXHAUSTED, ErrorCode.BUSY,
                                "busy", null)));
            } else {
                FakeNode.reply(o, io.dledger.proto.CommitOffsetsResponse.getDefaultInstance());
            }
        };
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("g", "t")
                .commitInterval(Duration.ofMillis(50)).build(), m -> delivered.incrementAndGet());
        try {
            consumer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> !busyOnce.get());
            // the busy commit was retried, and the final commit (of everything processed) has landed; the final
            // one names the busy offset too when nothing was processed between that commit and the revocation
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(consumer.assignedQueues()).isEmpty();
                List<Long> offsets = n1.commits.stream().map(c -> c.getOffsets(0).getOffset()).toList();
                assertThat(offsets).as("offsets committed; busy at %d", busyOffset.get())
                        .filteredOn(o -> o == busyOffset.get()).hasSizeGreaterThanOrEqualTo(2);
                assertThat(offsets).as("offsets committed").contains(consumer.processed());
            });
            assertThat(lastCommitted(n1)).as("the last commit to land is the final one")
                    .isEqualTo(consumer.processed());
        } finally {
            consumer.close();
        }
    }

    /**
     * A revoked queue whose final commit the leader refuses for good (the group's committed offsets at their limit)
     * is released all the same, not reported as owned forever, so the group can move it on.
     */
    @Test
    void aRevokedQueueWhoseFinalCommitIsRefusedForGoodIsReleased() {
        FakeNode n1 = cluster.node("n1");
        AtomicBoolean granted = new AtomicBoolean(true);
        List<List<Integer>> owned = new CopyOnWriteArrayList<>();
        grantQueue0While(n1, granted, owned);
        n1.pull = oneMessagePerPull(5);
        n1.commitOffsets = (r, o) -> o.onError(FakeNode.error(io.grpc.Status.Code.RESOURCE_EXHAUSTED,
                ErrorCode.LIMIT_EXCEEDED, "the cluster keeps 1000000 committed offsets", null));
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("g", "t")
                .commitInterval(Duration.ofMillis(50)).build(), m -> { });
        try {
            consumer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.processed() > 3);
            granted.set(false);
            await().atMost(Duration.ofSeconds(10)).until(() -> !owned.isEmpty()
                    && owned.get(owned.size() - 1).isEmpty());
            assertThat(consumer.assignedQueues()).isEmpty();
        } finally {
            consumer.close();
        }
    }

    /**
     * A final commit refused for a while (a new leader that has not had the member's heartbeat yet) keeps the revoked
     * queue owned until the commit lands: released uncommitted, the queue's next owner would repeat messages.
     */
    @Test
    void aRevokedQueueWhoseFinalCommitIsRefusedForNowStaysOwnedUntilItLands() {
        FakeNode n1 = cluster.node("n1");
        AtomicBoolean granted = new AtomicBoolean(true);
        AtomicBoolean refuse = new AtomicBoolean(true);
        List<List<Integer>> owned = new CopyOnWriteArrayList<>();
        grantQueue0While(n1, granted, owned);
        n1.pull = oneMessagePerPull(5);
        n1.commitOffsets = (r, o) -> {
            if (refuse.get()) {
                o.onError(FakeNode.error(io.grpc.Status.Code.FAILED_PRECONDITION, ErrorCode.NOT_GROUP_MEMBER,
                        "member is not a live member of group g on this leader", null));
            } else {
                FakeNode.reply(o, io.dledger.proto.CommitOffsetsResponse.getDefaultInstance());
            }
        };
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("g", "t")
                .commitInterval(Duration.ofMillis(50)).build(), m -> { });
        try {
            consumer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.processed() > 3);
            granted.set(false);
            int revokedAt = owned.size();
            await().atMost(Duration.ofSeconds(10)).until(() -> owned.size() > revokedAt + 5);
            assertThat(owned.subList(revokedAt + 2, owned.size())).as("reported owned while its commit is refused")
                    .allMatch(q -> q.contains(0));
            refuse.set(false);
            await().atMost(Duration.ofSeconds(10)).until(() -> owned.get(owned.size() - 1).isEmpty());
            assertThat(lastCommitted(n1)).isEqualTo(consumer.processed());
        } finally {
            consumer.close();
        }
    }

    /**
     * A message the listener fails on every attempt goes to {@code <group>-retry}, with its origin; the queue goes
     * on.
     */
    @Test
    void aMessageThatKeepsFailingIsParkedOnTheRetryTopicWithItsOrigin() {
        FakeNode n1 = cluster.node("n1");
        n1.heartbeat = (r, o) -> grantQueue0(o, 200);
        n1.pull = oneMessagePerPull(5);
        AtomicLong attemptsOnFirst = new AtomicLong();
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("g", "t").maxRetries(2)
                .retryBackoff(Duration.ofMillis(1)).build(), m -> {
                    if (m.offset() == 0) {
                        attemptsOnFirst.incrementAndGet();
                        throw new IllegalStateException("cannot handle offset 0");
                    }
                });
        try {
            consumer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.processed() >= 3);
            assertThat(attemptsOnFirst).hasValue(3); // the first attempt and two retries
            assertThat(consumer.parked()).isEqualTo(1);
            List<io.dledger.proto.ProduceRequest> parked = n1.produces.stream()
                    .filter(p -> p.getTopic().equals("g-retry")).toList();
            assertThat(parked).hasSize(1);
            assertThat(parked.get(0).getMessages(0).getPropertiesMap()).containsEntry("origin.topic", "t")
                    .containsEntry("origin.queue", "0").containsEntry("origin.offset", "0");
            assertThat(n1.createTopicCalls).hasValue(1); // the retry topic, once
        } finally {
            consumer.close();
        }
    }

    /** A retry topic made earlier with more queues (by hand, say) takes parked messages all the same. */
    @Test
    void aRetryTopicThatExistsWithMoreQueuesStillTakesParkedMessages() {
        FakeNode n1 = parksOffsetZeroOnceWhenCreatingAnswers(FakeNode.error(io.grpc.Status.Code.ALREADY_EXISTS,
                ErrorCode.TOPIC_EXISTS, "topic 'g-retry' exists with 4 queues", null));
        assertThat(n1.createTopicCalls).hasValue(1);
    }

    /** A token that may not create topics parks on a retry topic made beforehand. */
    @Test
    void aConsumerThatMayNotCreateTopicsParksOnARetryTopicMadeBeforehand() {
        parksOffsetZeroOnceWhenCreatingAnswers(FakeNode.error(io.grpc.Status.Code.PERMISSION_DENIED,
                ErrorCode.PERMISSION_DENIED, "the call's token has role write, and AdminService/CreateTopic needs "
                        + "admin", null));
    }

    /**
     * A consumer whose listener fails on offset 0 parks it once on {@code g-retry}, the node answering the creation
     * of that topic with {@code createError}; returns the node.
     */
    private FakeNode parksOffsetZeroOnceWhenCreatingAnswers(Throwable createError) {
        FakeNode n1 = cluster.node("n1");
        n1.heartbeat = (r, o) -> grantQueue0(o, 200);
        n1.pull = oneMessagePerPull(5);
        n1.createTopic = (r, o) -> o.onError(createError);
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("g", "t").maxRetries(0)
                .build(), m -> {
                    if (m.offset() == 0) {
                        throw new IllegalStateException("cannot handle offset 0");
                    }
                });
        try {
            consumer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.processed() >= 3);
            assertThat(consumer.parked()).isEqualTo(1);
            assertThat(n1.produces.stream().filter(p -> p.getTopic().equals("g-retry")).count()).isEqualTo(1);
        } finally {
            consumer.close();
        }
        return n1;
    }

    /**
     * A queue the group never committed starts where the start policy puts it (here: its end), and that offset is
     * committed at once: a member that takes the queue over later (this one may die before its first periodic
     * commit) starts there too, not at the queue's end again, past what was written in between.
     */
    @Test
    void aQueueWithoutACommittedOffsetHasItsStartCommittedAtOnce() {
        FakeNode n1 = cluster.node("n1");
        n1.fetchOffsets = (r, o) -> FakeNode.reply(o, io.dledger.proto.FetchOffsetsResponse.getDefaultInstance());
        n1.describeTopic = (r, o) -> FakeNode.reply(o, io.dledger.proto.TopicInfo.newBuilder().setTopic("t")
                .setQueues(1).addQueueInfos(io.dledger.proto.QueueInfo.newBuilder().setQueue(0).setMinOffset(3)
                        .setMaxOffset(7)).build());
        n1.pull = (r, o) -> CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> FakeNode.reply(
                o, io.dledger.proto.PullResponse.newBuilder().setServedBy("n1").setNextOffset(r.getOffset())
                        .setMaxOffset(7).build())); // long polls that end empty: nothing is processed
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("g", "t").startFromEarliest(false)
                .commitInterval(Duration.ofMinutes(10)).build(), m -> { });
        try {
            consumer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> !n1.commits.isEmpty());
            assertThat(n1.commits.get(0).getOffsetsList()).singleElement()
                    .satisfies(q -> assertThat(q.getOffset()).isEqualTo(7));
            assertThat(n1.pulls).isNotEmpty().allSatisfy(p -> assertThat(p.getOffset()).isEqualTo(7));
            assertThat(consumer.processed()).isZero();
        } finally {
            consumer.close();
        }
    }

    /**
     * With tags, pulls carry them, and the messages the node passed over count as consumed: after an answer that moved
     * the next offset past them, the member commits that offset, with or without a message delivered.
     */
    @Test
    void messagesATagFilterPassedOverAreCommittedPast() {
        FakeNode n1 = cluster.node("n1");
        n1.pull = (r, o) -> {
            if (r.getOffset() == 0) { // offset 2 matched; 0, 1, 3 and 4 passed over
                FakeNode.reply(o, io.dledger.proto.PullResponse.newBuilder().setServedBy("n1").setNextOffset(5)
                        .setMaxOffset(12).addMessages(io.dledger.proto.StoredMessage.newBuilder().setTopic("t")
                                .setOffset(2).setTags("TagA")).build());
            } else if (r.getOffset() == 5) { // nothing matched up to the end
                FakeNode.reply(o, io.dledger.proto.PullResponse.newBuilder().setServedBy("n1").setNextOffset(12)
                        .setMaxOffset(12).build());
            } else {
                CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> FakeNode.reply(o,
                        io.dledger.proto.PullResponse.newBuilder().setServedBy("n1").setNextOffset(r.getOffset())
                                .setMaxOffset(12).build()));
            }
        };
        java.util.List<Long> delivered = new java.util.concurrent.CopyOnWriteArrayList<>();
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("g", "t").tags("TagA", "TagB")
                .commitInterval(Duration.ofMillis(50)).build(), m -> delivered.add(m.offset()));
        try {
            consumer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> n1.commits.stream()
                    .anyMatch(c -> c.getOffsets(0).getOffset() == 12));
            assertThat(delivered).containsExactly(2L);
            assertThat(n1.pulls).allSatisfy(p -> assertThat(p.getTagsList()).containsExactlyInAnyOrder("TagA", "TagB"));
        } finally {
            consumer.close();
        }
    }

    /**
     * With a start time, a queue the group never committed starts at the first offset the leader finds stored at or
     * after it (asked for that queue only), and that start is committed at once like any start policy's.
     */
    @Test
    void aStartTimePlacesAnUncommittedQueueWhereTheLeaderFindsThatTime() {
        FakeNode n1 = cluster.node("n1");
        n1.heartbeat = (r, o) -> FakeNode.reply(o, HeartbeatResponse.newBuilder().addQueues(0).addQueues(1)
                .setHeartbeatIntervalMs(200).setSessionTimeoutMs((int) SESSION_MS).setTopicIncarnation(9).build());
        n1.fetchOffsets = (r, o) -> FakeNode.reply(o, io.dledger.proto.FetchOffsetsResponse.newBuilder()
                .setTopicIncarnation(9).addOffsets(io.dledger.proto.QueueOffset.newBuilder().setQueue(1).setOffset(2))
                .build());
        java.util.List<io.dledger.proto.OffsetsForTimeRequest> asked =
                new java.util.concurrent.CopyOnWriteArrayList<>();
        n1.offsetsForTime = (r, o) -> {
            asked.add(r);
            FakeNode.reply(o, io.dledger.proto.OffsetsForTimeResponse.newBuilder().setTopicIncarnation(9)
                    .addOffsets(io.dledger.proto.QueueOffset.newBuilder().setQueue(0).setOffset(5)).build());
        };
        n1.pull = (r, o) -> CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> FakeNode.reply(
                o, io.dledger.proto.PullResponse.newBuilder().setServedBy("n1").setNextOffset(r.getOffset())
                        .setTopicIncarnation(9).setMaxOffset(7).build()));
        java.time.Instant from = java.time.Instant.parse("2026-11-27T10:00:00Z");
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("g", "t").startFromTime(from)
                .commitInterval(Duration.ofMinutes(10)).build(), m -> { });
        try {
            consumer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> !n1.commits.isEmpty());
            assertThat(asked).singleElement().satisfies(r -> {
                assertThat(r.getTimestampMs()).isEqualTo(from.toEpochMilli());
                assertThat(r.getQueuesList()).as("the committed queue 1 goes on from its offset").containsExactly(0);
            });
            assertThat(n1.commits.get(0).getOffsetsList()).singleElement()
                    .satisfies(q -> assertThat(q.getQueue() * 100 + q.getOffset()).isEqualTo(5));
            await().atMost(Duration.ofSeconds(10)).until(() -> n1.pulls.stream().anyMatch(p -> p.getQueue() == 1));
            assertThat(n1.pulls).allSatisfy(p -> assertThat(p.getOffset()).isEqualTo(p.getQueue() == 0 ? 5 : 2));
        } finally {
            consumer.close();
        }
    }

    /**
     * A topic deleted and created again under a member: its queue's pulls and commits carry the incarnation it started
     * in, and the node refuses them once the topic is replaced; when a heartbeat names the new incarnation, the member
     * starts the queue over from the group's offset in the new topic, and pulls and commits that one from then on.
     */
    @Test
    void aReplacedTopicsQueueStartsOverInTheNewOne() {
        FakeNode n1 = cluster.node("n1");
        AtomicLong incarnation = new AtomicLong(5);
        AtomicLong deposedSays = new AtomicLong(); // when set, the heartbeats' answers name this (older) one
        n1.heartbeat = (r, o) -> FakeNode.reply(o, HeartbeatResponse.newBuilder().addQueues(0)
                .setHeartbeatIntervalMs(200).setSessionTimeoutMs((int) SESSION_MS)
                .setTopicIncarnation(deposedSays.get() != 0 ? deposedSays.get() : incarnation.get()).build());
        n1.fetchOffsets = (r, o) -> FakeNode.reply(o, io.dledger.proto.FetchOffsetsResponse.newBuilder()
                .setTopicIncarnation(incarnation.get()).addOffsets(io.dledger.proto.QueueOffset.newBuilder()
                        .setQueue(0).setOffset(incarnation.get() == 5 ? 40 : 0)).build());
        var serve = oneMessagePerPull(20);
        n1.pull = (r, o) -> {
            if (r.getTopicIncarnation() != incarnation.get()) {
                o.onError(FakeNode.error(io.grpc.Status.Code.FAILED_PRECONDITION, ErrorCode.TOPIC_REPLACED,
                        "topic 't' was deleted and created again", null));
            } else {
                serve.handle(r, o);
            }
        };
        n1.commitOffsets = (r, o) -> {
            if (r.getTopicIncarnation() != incarnation.get()) {
                o.onError(FakeNode.error(io.grpc.Status.Code.FAILED_PRECONDITION, ErrorCode.TOPIC_REPLACED,
                        "topic 't' was deleted and created again", null));
            } else {
                FakeNode.reply(o, io.dledger.proto.CommitOffsetsResponse.getDefaultInstance());
            }
        };
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("g", "t")
                .commitInterval(Duration.ofMillis(100)).build(), m -> { });
        try {
            consumer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> lastCommitted(n1) > 42);
            assertThat(n1.pulls).allSatisfy(p -> assertThat(p.getTopicIncarnation()).isEqualTo(5));
            assertThat(n1.commits).allSatisfy(c -> assertThat(c.getTopicIncarnation()).isEqualTo(5));

            incarnation.set(9); // the topic was deleted and created again
            await().atMost(Duration.ofSeconds(10)).until(() -> n1.commits.stream()
                    .anyMatch(c -> c.getTopicIncarnation() == 9 && c.getOffsets(0).getOffset() > 1));
            List<io.dledger.proto.PullRequest> again = n1.pulls.stream().filter(p -> p.getTopicIncarnation() == 9)
                    .toList();
            assertThat(again.get(0).getOffset()).as("the new topic's committed offset").isZero();
            assertThat(n1.commits.stream().filter(c -> c.getTopicIncarnation() == 9))
                    .allSatisfy(c -> assertThat(c.getOffsets(0).getOffset()).as("no old offset").isLessThan(40));

            // a deposed leader that lags names the old incarnation: nothing changes (incarnations only grow)
            deposedSays.set(5);
            int heartbeats = n1.groupCalls.size();
            await().atMost(Duration.ofSeconds(10)).until(() -> n1.groupCalls.size() > heartbeats + 3);
            assertThat(n1.pulls.stream().filter(p -> p.getTopicIncarnation() == 9 && p.getOffset() == 0))
                    .as("not started over again").hasSize(1);
            assertThat(n1.pulls.get(n1.pulls.size() - 1).getTopicIncarnation()).isEqualTo(9);
        } finally {
            consumer.close();
        }
    }

    /**
     * A message the listener is still failing on when the member loses its lease is neither retried further nor
     * parked: the queue may belong to another member by then, which delivers it (and parks it if it must).
     */
    @Test
    void aMessageStillFailingWhenTheLeaseEndsIsLeftToTheNextOwner() {
        FakeNode n1 = cluster.node("n1");
        AtomicBoolean answer = new AtomicBoolean(true);
        n1.heartbeat = (r, o) -> {
            if (answer.get()) {
                grantQueue0(o, 500);
            } else {
                o.onError(io.grpc.Status.UNAVAILABLE.withDescription("leader gone").asRuntimeException());
            }
        };
        n1.pull = oneMessagePerPull(5);
        AtomicLong attempts = new AtomicLong();
        AtomicBoolean fenced = new AtomicBoolean();
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("g", "t").maxRetries(2)
                .retryBackoff(Duration.ofMillis(1)).build(), m -> {
                    if (attempts.incrementAndGet() == 2) { // the second attempt lasts until the member is fenced
                        await().atMost(Duration.ofSeconds(10)).untilTrue(fenced);
                    }
                    throw new IllegalStateException("cannot handle offset " + m.offset());
                });
        try {
            consumer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> attempts.get() == 2);
            answer.set(false);
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.assignedQueues().isEmpty());
            fenced.set(true);
            await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);
            assertThat(attempts).as("no third attempt").hasValue(2);
            assertThat(consumer.parked()).isZero();
            assertThat(n1.produces.stream().filter(p -> p.getTopic().equals("g-retry"))).isEmpty();
            assertThat(consumer.processed()).isZero();
        } finally {
            consumer.close();
        }
    }

    /**
     * A heartbeat on its way when the member closes (here: refused once, then retried) finishes before the member
     * leaves: landing after the LeaveGroup, it would join the member again and hold its queues for a session.
     */
    @Test
    void closingWaitsForAHeartbeatOnItsWayBeforeLeaving() throws Exception {
        FakeNode n1 = cluster.node("n1");
        AtomicBoolean refuseNext = new AtomicBoolean();
        java.util.concurrent.CountDownLatch refusing = new java.util.concurrent.CountDownLatch(1);
        n1.heartbeat = (r, o) -> {
            if (refuseNext.compareAndSet(true, false)) {
                refusing.countDown();
                CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(() -> o.onError(
                        io.grpc.Status.UNAVAILABLE.withDescription("try again").asRuntimeException()));
                return;
            }
            grantQueue0(o, 200);
        };
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("g", "t").build(), m -> { });
        consumer.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.assignedQueues().contains(0));
        refuseNext.set(true);
        assertThat(refusing.await(10, TimeUnit.SECONDS)).isTrue();
        consumer.close(); // while that heartbeat waits for its answer
        assertThat(n1.groupCalls).endsWith("heartbeat", "heartbeat", "leave"); // refused, retried, then the leave
        int calls = n1.groupCalls.size();
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(n1.groupCalls).as("nothing after the leave").hasSize(calls);
    }

    /** A listener that closes its own consumer (stop after N messages) is not waited for, and leaves no thread. */
    @Test
    void aListenerThatClosesItsConsumerDoesNotWaitForItself() throws Exception {
        FakeNode n1 = cluster.node("n1");
        n1.heartbeat = (r, o) -> grantQueue0(o, 200);
        n1.pull = oneMessagePerPull(0);
        AtomicReference<PushConsumer> self = new AtomicReference<>();
        CompletableFuture<Long> closedAfterMs = new CompletableFuture<>();
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("g", "t").build(), m -> {
            if (m.offset() == 2 && !closedAfterMs.isDone()) {
                long t0 = System.nanoTime();
                self.get().close();
                interruptedAfter.set(Thread.currentThread().isInterrupted());
                closedAfterMs.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }
        });
        self.set(consumer);
        consumer.start();
        assertThat(closedAfterMs.get(20, TimeUnit.SECONDS)).as("close from the listener, ms").isLessThan(5_000);
        assertThat(interruptedAfter).as("the listener's thread is not left interrupted").isFalse();
        assertThat(n1.groupCalls).endsWith("leave");
        assertThat(lastCommitted(n1)).as("the message being processed is not committed").isEqualTo(2);
    }

    /** Closing the client closes the push consumers made from it: they leave, and their threads end. */
    @Test
    void closingTheClientClosesItsPushConsumers() {
        FakeNode n1 = cluster.node("n1");
        n1.heartbeat = (r, o) -> grantQueue0(o, 200);
        PushConsumer consumer = client.newPushConsumer(PushConsumerOptions.builder("closed-with-client", "t").build(),
                m -> { });
        consumer.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.assignedQueues().contains(0));

        client.close();

        assertThat(n1.groupCalls).endsWith("leave");
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("dledger-consumer-closed-with-client")));
    }

    /** Every pull of queue 0 gets the message at its offset, {@code delayMs} later (queue 0 never runs dry). */
    private static FakeNode.Handler<io.dledger.proto.PullRequest, io.dledger.proto.PullResponse> oneMessagePerPull(
            long delayMs) {
        return (r, o) -> CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS).execute(() ->
                FakeNode.reply(o, io.dledger.proto.PullResponse.newBuilder().setServedBy("n1")
                        .setNextOffset(r.getOffset() + 1).setMaxOffset(r.getOffset() + 1)
                        .addMessages(io.dledger.proto.StoredMessage.newBuilder().setTopic("t").setQueue(0)
                                .setOffset(r.getOffset()))
                        .build()));
    }

    /** Answers a heartbeat granting queue 0, with heartbeats {@code intervalMs} apart and a session of SESSION_MS. */
    private static void grantQueue0(StreamObserver<HeartbeatResponse> o, int intervalMs) {
        FakeNode.reply(o, HeartbeatResponse.newBuilder().addQueues(0).setHeartbeatIntervalMs(intervalMs)
                .setSessionTimeoutMs((int) SESSION_MS).build());
    }

    /**
     * {@code n} answers heartbeats every 100 ms, granting queue 0 while {@code granted} (none after), and records the
     * queues each heartbeat reports owned in {@code owned}.
     */
    private static void grantQueue0While(FakeNode n, AtomicBoolean granted, List<List<Integer>> owned) {
        n.heartbeat = (r, o) -> {
            owned.add(r.getOwnedQueuesList());
            FakeNode.reply(o, HeartbeatResponse.newBuilder().addAllQueues(granted.get() ? List.of(0) : List.of())
                    .setHeartbeatIntervalMs(100).setSessionTimeoutMs((int) SESSION_MS).build());
        };
    }

    private static long lastCommitted(FakeNode n) {
        return n.commits.isEmpty() ? -1 : n.commits.get(n.commits.size() - 1).getOffsets(0).getOffset();
    }
}
