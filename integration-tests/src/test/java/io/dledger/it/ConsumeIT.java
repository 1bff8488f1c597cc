package io.dledger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dledger.client.DLedgerClient;
import io.dledger.client.DLedgerException;
import io.dledger.client.ErrorCode;
import io.dledger.client.Message;
import io.dledger.client.Producer;
import io.dledger.client.PullConsumer;
import io.dledger.client.PullRequestOptions;
import io.dledger.client.PullResult;
import io.dledger.client.PushConsumer;
import io.dledger.client.PushConsumerOptions;
import io.dledger.client.ReceivedMessage;
import io.dledger.client.GroupDescription;
import io.dledger.client.GroupSummary;
import io.dledger.client.SendResult;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The read side on real processes: followers serve a share of the reads when the leader is busy,
 * consumption survives a follower's and the leader's death, a group resumes at its committed offsets,
 * long polling and read-your-writes.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConsumeIT extends ClusterTestBase {
    /** A leader counts as busy from 20 messages or pulls a second, so modest test load moves reads. */
    private static final Map<String, String> EAGER_OFFLOAD = Map.of("read.busy.produce.per.sec", "20",
            "read.busy.pulls.per.sec", "20");

    /** Counts deliveries per message body; every body is unique. */
    private static final class Received {
        final Map<String, Integer> times = new ConcurrentHashMap<>();

        void add(String body) {
            times.merge(body, 1, Integer::sum);
        }

        boolean containsAll(Set<String> bodies) {
            return times.keySet().containsAll(bodies);
        }
    }

    private PushConsumer member(String group, String topic, Received received) {
        PushConsumer c = cluster.client().newPushConsumer(PushConsumerOptions.builder(group, topic).threads(2).build(),
                m -> received.add(m.bodyAsString()));
        c.start();
        return c;
    }

    @Test
    void busyLeaderSendsReadsToFollowersAndConsumptionSurvivesAFollowerAndTheLeader() throws Exception {
        cluster = TestCluster.start("consume", 3, EAGER_OFFLOAD);
        cluster.client().admin().createTopic("feed", 4);
        AckedMessages acked = new AckedMessages();
        Received received = new Received();
        try (BackgroundProducer producer = new BackgroundProducer(cluster.client(), "feed", "f", acked);
             PushConsumer consumer = member("readers", "feed", received)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> consumer.processed() >= 300);
            String leader = cluster.awaitLeader();
            // the leader's load meter needs a full second of traffic before it counts as busy, and the
            // first reads go to the leader: under sustained load the followers' share grows past a tenth
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Map<String, Long> served = consumer.servedBy();
                long byFollowers = served.entrySet().stream().filter(e -> !e.getKey().equals(leader))
                        .mapToLong(Map.Entry::getValue).sum();
                long total = served.values().stream().mapToLong(Long::longValue).sum();
                assertThat(byFollowers).as("messages served by followers of %s in %s", total, served)
                        .isGreaterThan(total / 10);
            });

            String follower = cluster.nodeIds().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
            cluster.kill(follower);
            // the leader counts it as down once it has not heard from it for a leader lease (JRaft keeps its
            // replicator, whose lag would count only the entries since): no reads are sent its way
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.client().admin().describeCluster().nodes()
                    .stream().filter(n -> n.id().equals(follower)).allMatch(n -> n.lagEntries() < 0));
            long afterFollowerKill = consumer.processed();
            await().atMost(Duration.ofSeconds(60)).until(() -> consumer.processed() >= afterFollowerKill + 200);

            cluster.killLeader();
            long afterLeaderKill = consumer.processed();
            cluster.restart(follower); // a majority again
            await().atMost(Duration.ofSeconds(90)).until(() -> consumer.processed() >= afterLeaderKill + 200);
            assertThat(producer.errors()).isEmpty();
        }
        Set<String> ackedBodies = acked.bodies();
        await().atMost(Duration.ofSeconds(60)).until(() -> drain(received, ackedBodies));
    }

    /** Starts a fresh member of the same group until it has seen every acknowledged body. */
    private boolean drain(Received received, Set<String> bodies) {
        if (received.containsAll(bodies)) {
            return true;
        }
        try (PushConsumer again = member("readers", "feed", received)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> received.containsAll(bodies));
        }
        return true;
    }

    @Test
    void groupResumesAtCommittedOffsetsAfterLeaderFailoverAndQueuesMoveWhenAMemberDies() throws Exception {
        cluster = TestCluster.start("groups", 3, Map.of());
        DLedgerClient client = cluster.client();
        client.admin().createTopic("orders", 4);
        java.util.Set<String> sent = ConcurrentHashMap.newKeySet();
        try (Producer p = client.newProducer()) {
            for (int i = 0; i < 400; i++) {
                SendResult r = p.send("orders", Message.of("o-" + i));
                sent.add("o-" + i);
                assertThat(r.offset()).isNotNegative();
            }
        }
        GroupDescription unused = client.admin().describeGroup("billing", "orders");
        assertThat(unused.members()).isEmpty();
        assertThat(unused.queues()).allMatch(q -> q.committedOffset().isEmpty() && q.owner() == null);
        assertThat(unused.totalLag()).isEqualTo(400);
        Received first = new Received();
        try (PushConsumer c = member("billing", "orders", first)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> first.containsAll(sent));
            GroupDescription consuming = client.admin().describeGroup("billing", "orders");
            assertThat(consuming.members()).singleElement().satisfies(m -> assertThat(m.queues())
                    .containsExactly(0, 1, 2, 3));
            assertThat(consuming.queues()).allMatch(q -> q.owner() != null);
        } // close commits and leaves
        GroupDescription done = client.admin().describeGroup("billing", "orders");
        assertThat(done.members()).isEmpty();
        assertThat(done.totalLag()).isZero();
        assertThat(done.queues()).allMatch(q -> q.committedOffset().orElse(-1) == q.maxOffset());
        assertThat(client.admin().listGroups(null).groups()).contains(new GroupSummary("billing", "orders", 0, 0));
        cluster.killLeader();
        cluster.awaitLeader();
        try (PushConsumer again = member("billing", "orders", new Received())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> again.assignedQueues().size() == 4);
            // nothing new was produced: a member resuming at the committed offsets gets nothing
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> again.processed() == 0);
            assertThatThrownBy(() -> client.admin().resetOffsets("billing", "orders", 0, Map.of(0, 0L)))
                    .as("a live member's positions would commit over a reset")
                    .isInstanceOfSatisfying(DLedgerException.class, e -> assertThat(e.code())
                            .isEqualTo(ErrorCode.GROUP_ACTIVE));
            assertThatThrownBy(() -> client.admin().deleteGroup("billing", "orders")).as("or over a deletion")
                    .isInstanceOfSatisfying(DLedgerException.class, e -> assertThat(e.code())
                            .isEqualTo(ErrorCode.GROUP_ACTIVE));
            assertThat(commitAsMember("billing", "orders", "a-member-the-leader-never-heard")).as("a member the "
                    + "leader does not count as live commits nothing").isEqualTo(io.dledger.proto.ErrorCode
                    .NOT_GROUP_MEMBER);
            assertThat(client.admin().describeGroup("billing", "orders").totalLag()).isZero();
        }
        rewindQueue0ToATimeAndReplayIt(client);

        // a member running as its own process (the CLI), stopped with SIGTERM: it commits and leaves at once, before
        // its session could end (4 s after its last heartbeat, so at least 3 s after the signal)
        ProcessHandle stopped = startCliMember("billing", "orders");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(client.admin()
                .describeGroup("billing", "orders").members()).singleElement().satisfies(m -> assertThat(m.memberId())
                .as("names its process").startsWith("cli-" + stopped.pid() + "-")));
        stopped.destroy();
        await("left on SIGTERM").atMost(Duration.ofMillis(2500)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.admin().describeGroup("billing", "orders").members().isEmpty());
        assertThat(stopped.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();

        // a second member running as its own process (the CLI), killed with SIGKILL
        ProcessHandle other = startCliMember("billing", "orders");
        Received survivor = new Received();
        try (PushConsumer mine = member("billing", "orders", survivor)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> mine.assignedQueues().size() == 2);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.admin()
                    .describeGroup("billing", "orders").members()).hasSize(2)
                    .allSatisfy(m -> assertThat(m.queues()).hasSize(2)));
            other.destroyForcibly();
            await().atMost(Duration.ofSeconds(30)).until(() -> mine.assignedQueues().size() == 4);
            try (Producer p = client.newProducer()) {
                for (int i = 0; i < 40; i++) {
                    p.send("orders", Message.of("late-" + i).withQueue(i % 4));
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> survivor.times.keySet().stream()
                    .filter(b -> b.startsWith("late-")).count() == 40);

            // the topic deleted and created again under the running member (faster than its heartbeats notice the
            // topic gone): the member starts over in the new topic from its first message, instead of waiting at
            // the old topic's offsets (about 110 per queue) and committing them as the new topic's
            assertThat(client.admin().deleteTopic("orders")).isTrue();
            client.admin().createTopic("orders", 4);
            try (Producer p = client.newProducer()) {
                for (int i = 0; i < 8; i++) {
                    p.send("orders", Message.of("reborn-" + i).withQueue(i % 4));
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> survivor.times.keySet().stream()
                    .filter(b -> b.startsWith("reborn-")).count() == 8);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(client.admin()
                    .describeGroup("billing", "orders").queues())
                    .allSatisfy(q -> assertThat(q.committedOffset()).as("queue %d", q.queue()).hasValue(2L)));
        } finally {
            other.destroyForcibly();
        }
    }

    /**
     * An operator rewinds queue 0 of the stopped group "billing" to the time of its middle message (on the new leader,
     * which may still be settling: the SDK retries its BUSY): a member then gets exactly queue 0's messages from there
     * on again, and nothing of the other queues.
     */
    private void rewindQueue0ToATimeAndReplayIt(DLedgerClient client) {
        java.util.List<ReceivedMessage> queue0 = new java.util.ArrayList<>();
        long expected;
        try (PullConsumer pulls = client.newPullConsumer()) {
            PullResult r;
            long next = 0;
            do {
                r = pulls.pull("orders", 0, next, 0);
                queue0.addAll(r.messages());
                next = r.nextOffset();
            } while (next < r.maxOffset());
            long at = queue0.get(queue0.size() / 2).storeTimestamp();
            expected = queue0.stream().filter(m -> m.storeTimestamp() >= at).mapToLong(ReceivedMessage::offset).min()
                    .orElseThrow();
            assertThat(pulls.offsetForTime("orders", 0, at)).isEqualTo(expected);
        }
        client.admin().resetOffsets("billing", "orders", client.admin().describeTopic("orders").incarnation(),
                Map.of(0, expected));
        assertThat(client.admin().describeGroup("billing", "orders").queues())
                .allSatisfy(q -> assertThat(q.committedOffset()).hasValue(q.queue() == 0 ? expected : q.maxOffset()));
        Set<String> again = queue0.stream().filter(m -> m.offset() >= expected).map(ReceivedMessage::bodyAsString)
                .collect(java.util.stream.Collectors.toSet());
        Received replay = new Received();
        try (PushConsumer m = member("billing", "orders", replay)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> replay.times.keySet().equals(again));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> replay.times.keySet().equals(again) && m.processed() == again.size());
        }
    }

    private ProcessHandle startCliMember(String group, String topic) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(io.dledger.broker.local.LocalCluster.NODE_JVM_FLAGS);
        cmd.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), "io.dledger.broker.cli.DLedgerCli",
                "consume", "-s", cluster.local().seeds(), "-t", topic, "-g", group, "-n", "0", "--idle-exit", "0"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(cluster.local().dir().resolve("cli-consumer.log").toFile()).start();
        return p.toHandle();
    }

    @Test
    void longPollingAnswersWhenAMessageArrivesAndReadYourWritesSeesEveryWrite() throws Exception {
        cluster = TestCluster.start("longpoll", 3, Map.of("pull.max.waiting", "1"));
        DLedgerClient client = cluster.client();
        client.admin().createTopic("events", 1);
        String leader = cluster.awaitLeader();
        String follower = cluster.nodeIds().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        try (PullConsumer consumer = client.newPullConsumer(); Producer p = client.newProducer()) {
            long t0 = System.nanoTime();
            PullResult empty = consumer.pull(PullRequestOptions.of("events", 0, 0).withMaxWait(300));
            assertThat(empty.messages()).isEmpty();
            assertThat(System.nanoTime() - t0).as("waited for the deadline")
                    .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(250));

            CompletableFuture<PullResult> waiting = consumer.pullAsync(PullRequestOptions.of("events", 0, 0)
                    .withMaxWait(20_000));
            await().pollDelay(Duration.ofMillis(200)).until(() -> true);
            assertThat(waiting).isNotDone();
            p.send("events", Message.of("wake-up"));
            PullResult woken = waiting.get(10, TimeUnit.SECONDS);
            assertThat(woken.messages()).extracting(m -> m.bodyAsString()).containsExactly("wake-up");

            for (int i = 0; i < 50; i++) {
                SendResult r = p.send("events", Message.of("ryw-" + i));
                PullResult read = consumer.pull(PullRequestOptions.of("events", 0, r.offset()).fromNode(follower)
                        .withReadYourWrites(true));
                assertThat(read.servedBy()).isEqualTo(follower);
                assertThat(read.messages()).as("follower sees write %d at once", i).isNotEmpty();
                assertThat(read.messages().get(0).bodyAsString()).isEqualTo("ryw-" + i);
            }

            // a follower asked for an offset it has not received yet waits for it, like a pull at the end of a queue
            long next = p.send("events", Message.of("before")).offset() + 1;
            CompletableFuture<PullResult> ahead = consumer.pullAsync(PullRequestOptions.of("events", 0, next + 1)
                    .fromNode(follower).withMaxWait(20_000));
            await().pollDelay(Duration.ofMillis(200)).until(() -> true);
            assertThat(ahead).as("waiting on the follower for an offset not written yet").isNotDone();
            p.send("events", Message.of("skipped-by-this-pull"));
            p.send("events", Message.of("arrived"));
            PullResult arrived = ahead.get(15, TimeUnit.SECONDS);
            assertThat(arrived.servedBy()).isEqualTo(follower);
            assertThat(arrived.messages()).extracting(m -> m.bodyAsString()).containsExactly("arrived");

            // ... and once its wait is over, or for a topic it does not know, points to the leader, which decides
            long pastEnd = p.send("events", Message.of("last")).offset() + 10;
            for (PullRequestOptions ask : java.util.List.of(PullRequestOptions.of("events", 0, pastEnd).withMaxWait(0),
                    PullRequestOptions.of("events", 0, pastEnd).withMaxWait(300),
                    PullRequestOptions.of("no-such-topic", 0, 0).withMaxWait(20_000))) {
                PullResult sent = consumer.pullAsync(ask.fromNode(follower)).get(10, TimeUnit.SECONDS);
                assertThat(sent.messages()).isEmpty();
                assertThat(sent.servedBy()).isEqualTo(follower);
                assertThat(sent.nextOffset()).isEqualTo(ask.offset());
                assertThat(sent.suggestedNodeId()).as("pulling %s", ask).isEqualTo(leader);
                assertThat(sent.followerBehind()).isTrue();
            }
            assertThatThrownBy(() -> consumer.pull(PullRequestOptions.of("events", 0, pastEnd).fromNode(leader)))
                    .isInstanceOfSatisfying(DLedgerException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
                        assertThat(e.storedOffsets().orElseThrow().maxOffset()).isEqualTo(pastEnd - 9);
                    });

            // a node parks at most pull.max.waiting (1 here) pulls at once; one more is refused as BUSY, retryable
            long end = pastEnd - 9;
            CompletableFuture<PullResult> parked = consumer.pullAsync(PullRequestOptions.of("events", 0, end)
                    .fromNode(leader).withMaxWait(20_000));
            await().pollDelay(Duration.ofMillis(200)).until(() -> true);
            assertThat(parked).isNotDone();
            assertThatThrownBy(() -> consumer.pull(PullRequestOptions.of("events", 0, end).fromNode(leader)
                    .withMaxWait(100))).isInstanceOfSatisfying(DLedgerException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BUSY);
                        assertThat(e.retryable()).isTrue();
                        assertThat(e.getMessage()).contains("pull.max.waiting=1");
                    });
            p.send("events", Message.of("frees the place"));
            assertThat(parked.get(10, TimeUnit.SECONDS).messages()).extracting(m -> m.bodyAsString())
                    .containsExactly("frees the place");

            // a pull with tags passes over what does not match, also while it waits: it answers the first match
            CompletableFuture<PullResult> tagged = consumer.pullAsync(PullRequestOptions.of("events", 0, end)
                    .fromNode(leader).withMaxWait(20_000).withTags("red"));
            await().pollDelay(Duration.ofMillis(200)).until(() -> true);
            assertThat(tagged).as("passed over the untagged message, waiting at the end").isNotDone();
            p.send("events", Message.of("not for it").withTags("blue"));
            await().pollDelay(Duration.ofMillis(300)).until(() -> true);
            assertThat(tagged).as("woken by a message it passes over, waiting again").isNotDone();
            p.send("events", Message.of("for it").withTags("red"));
            PullResult red = tagged.get(10, TimeUnit.SECONDS);
            assertThat(red.messages()).extracting(m -> m.bodyAsString()).containsExactly("for it");
            assertThat(red.nextOffset()).isEqualTo(end + 3);

            // a parked pull whose caller gave up (here its deadline) frees its place at once, not when its wait ends
            io.grpc.ManagedChannel ch = io.grpc.ManagedChannelBuilder.forTarget(cluster.local().node(leader)
                    .grpcAddress()).usePlaintext().build();
            try {
                assertThatThrownBy(() -> io.dledger.proto.MessagingServiceGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(300, TimeUnit.MILLISECONDS).pull(io.dledger.proto.PullRequest.newBuilder()
                                .setTopic("events").setQueue(0).setOffset(end + 3).setMaxWaitMs(20_000).build()))
                        .isInstanceOfSatisfying(io.grpc.StatusRuntimeException.class, e -> assertThat(
                                e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.DEADLINE_EXCEEDED));
            } finally {
                ch.shutdownNow();
            }
            await().atMost(Duration.ofSeconds(5)).ignoreExceptionsInstanceOf(DLedgerException.class)
                    .untilAsserted(() -> assertThat(consumer.pull(PullRequestOptions
                    .of("events", 0, end + 3).fromNode(leader).withMaxWait(100)).messages()).as("parked, not BUSY")
                    .isEmpty());

            // a follower that knows no leader refuses such a pull as retryable instead: nobody can decide yet
            cluster.nodeIds().stream().filter(id -> !id.equals(follower)).forEach(cluster::kill);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThatThrownBy(() -> consumer.pull(
                    PullRequestOptions.of("events", 0, pastEnd).fromNode(follower)))
                    .isInstanceOfSatisfying(DLedgerException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NODE_UNAVAILABLE);
                        assertThat(e.retryable()).isTrue();
                        assertThat(e.getMessage()).contains("knows no leader");
                    }));
        }
    }

    /** The typed code the leader refuses a commit of offset 0 of queue 0 by {@code member} with (null: accepted). */
    private io.dledger.proto.ErrorCode commitAsMember(String group, String topic, String member) {
        io.grpc.ManagedChannel ch = io.grpc.ManagedChannelBuilder.forTarget(cluster.local().node(cluster.awaitLeader())
                .grpcAddress()).usePlaintext().build();
        try {
            io.dledger.proto.ConsumerServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .commitOffsets(io.dledger.proto.CommitOffsetsRequest.newBuilder().setGroup(group).setTopic(topic)
                            .setMemberId(member).addOffsets(io.dledger.proto.QueueOffset.newBuilder().setQueue(0)
                                    .setOffset(0)).build());
            return null;
        } catch (io.grpc.StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION);
            return e.getTrailers().get(io.dledger.broker.server.RpcErrors.DETAIL_KEY).getCode();
        } finally {
            ch.shutdownNow();
        }
    }
}
