package io.dledger.broker.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.Status;
import com.google.protobuf.ByteString;
import io.dledger.broker.metrics.WritePathTimers;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.ProduceResult;
import io.dledger.broker.store.StoreConfig;
import io.dledger.broker.store.TopicResult;
import io.dledger.proto.internal.Command;
import io.dledger.proto.internal.CommandBatch;
import io.dledger.proto.internal.CommandMessage;
import io.dledger.proto.internal.CreateTopicCommand;
import io.dledger.proto.internal.DeleteTopicCommand;
import io.dledger.proto.internal.ProduceCommand;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class BrokerStateMachineTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WritePathTimers timers = new WritePathTimers(registry);
    @TempDir
    Path dir;

    private static Command topic(String name, int queues) {
        return Command.newBuilder().setCreateTopic(CreateTopicCommand.newBuilder().setTopic(name).setQueues(queues))
                .build();
    }

    private static Command produce(String topic, long pid, long seq, int queue, String body) {
        return Command.newBuilder().setProduce(ProduceCommand.newBuilder().setTopic(topic).setProducerId(pid)
                .setSequence(seq).addMessages(CommandMessage.newBuilder().setQueue(queue)
                        .setBody(ByteString.copyFromUtf8(body)))).build();
    }

    private static FakeIterator.Entry follower(long index, Command... commands) {
        CommandBatch batch = CommandBatch.newBuilder().setTimestampMs(index * 10).addAllCommands(List.of(commands))
                .build();
        return new FakeIterator.Entry(index, CommandCodec.encode(batch), null);
    }

    private static BrokerStateMachine fsm(MessageStore store) {
        return new BrokerStateMachine(store, Runnable::run);
    }

    @Test
    void followersDecodeEntriesAndAssignTheSameOffsetsAsTheLeader() {
        List<long[]> leaderOffsets = new ArrayList<>();
        Path leaderDir = dir.resolve("leader");
        try (MessageStore store = MessageStore.open(StoreConfig.builder(leaderDir).build())) {
            List<FakeIterator.Entry> entries = new ArrayList<>();
            for (long i = 1; i <= 5; i++) {
                Command[] cmds = i == 1 ? new Command[] {topic("t", 2)} : new Command[] {produce("t", 9, i, (int) i % 2,
                        "m" + i), produce("t", 9, i + 100, 0, "x" + i)};
                CommandBatch batch = CommandBatch.newBuilder().setTimestampMs(i * 10).addAllCommands(List.of(cmds))
                        .build();
                List<Proposal> proposals = new ArrayList<>();
                for (Command c : cmds) {
                    proposals.add(new Proposal(c, 10, new CompletableFuture<>(), System.nanoTime()));
                }
                entries.add(new FakeIterator.Entry(i, CommandCodec.encode(batch),
                        new ApplyClosure(batch, proposals, () -> { }, timers, System.nanoTime())));
                proposals.stream().skip(i == 1 ? 1 : 0).forEach(p -> p.result().thenAccept(r ->
                        leaderOffsets.add(((ProduceResult) r).offsets())));
            }
            fsm(store).onApply(new FakeIterator(entries));
        }
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir.resolve("follower")).build())) {
            List<FakeIterator.Entry> entries = new ArrayList<>();
            entries.add(follower(1, topic("t", 2)));
            for (long i = 2; i <= 5; i++) {
                entries.add(follower(i, produce("t", 9, i, (int) i % 2, "m" + i),
                        produce("t", 9, i + 100, 0, "x" + i)));
            }
            fsm(store).onApply(new FakeIterator(entries));
            assertThat(store.lastAppliedIndex()).isEqualTo(5);
            assertThat(store.topic("t").maxOffsets()).containsExactly(6, 2);
        }
        assertThat(leaderOffsets).hasSize(8);
    }

    @Test
    void closureReceivesResultsInCommandOrder() throws Exception {
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir).build())) {
            Command[] cmds = {topic("t", 1), produce("t", 0, 0, 0, "a"), produce("missing", 0, 0, 0, "b")};
            CommandBatch batch = CommandBatch.newBuilder().setTimestampMs(7).addAllCommands(List.of(cmds)).build();
            List<Proposal> proposals = new ArrayList<>();
            for (Command c : cmds) {
                proposals.add(new Proposal(c, 1, new CompletableFuture<>(), System.nanoTime()));
            }
            AtomicReference<Boolean> done = new AtomicReference<>(false);
            fsm(store).onApply(new FakeIterator(List.of(new FakeIterator.Entry(1, CommandCodec.encode(batch),
                    new ApplyClosure(batch, proposals, () -> done.set(true), timers, System.nanoTime())))));
            assertThat(((TopicResult) proposals.get(0).result().get()).status()).isEqualTo(TopicResult.Status.CREATED);
            ProduceResult ok = (ProduceResult) proposals.get(1).result().get();
            assertThat(ok.status()).isEqualTo(ProduceResult.Status.OK);
            assertThat(ok.timestamp()).isEqualTo(7);
            assertThat(((ProduceResult) proposals.get(2).result().get()).status())
                    .isEqualTo(ProduceResult.Status.TOPIC_NOT_FOUND);
            assertThat(done.get()).isTrue();
            // the leader's stage timers count each of the entry's three writes: committed (replicated), applied
            assertThat(registry.get("dledger.write.stage").tag("stage", "replicated").timer().count()).isEqualTo(3);
            assertThat(registry.get("dledger.write.stage").tag("stage", "applied").timer().count()).isEqualTo(3);
        }
    }

    @Test
    void replayedEntriesAreNoOps() {
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir).build())) {
            BrokerStateMachine fsm = fsm(store);
            fsm.onApply(new FakeIterator(List.of(follower(1, topic("t", 1)), follower(2, produce("t", 0, 0, 0, "a")))));
            fsm.onApply(new FakeIterator(List.of(follower(2, produce("t", 0, 0, 0, "a")),
                    follower(3, produce("t", 0, 0, 0, "b")))));
            assertThat(store.topic("t").maxOffsets()).containsExactly(2);
            assertThat(store.lastAppliedIndex()).isEqualTo(3);
            // entries without the leader's closure (a follower's, a replay) are not client writes on this node
            assertThat(registry.get("dledger.write.stage").tag("stage", "replicated").timer().count()).isZero();
        }
    }

    @Test
    void failedEntryCompletesProposalsWithOutcomeUnknown() {
        Command c = produce("t", 1, 1, 0, "a");
        Proposal p = new Proposal(c, 1, new CompletableFuture<>(), System.nanoTime());
        new ApplyClosure(CommandBatch.newBuilder().addCommands(c).build(), List.of(p), () -> { }, timers,
                System.nanoTime())
                .run(new Status(-1, "leader stepped down"));
        assertThat(p.result()).isCompletedExceptionally();
        assertThat(p.result()).failsWithin(java.time.Duration.ofSeconds(1))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(ProposalException.class)
                .extracting(e -> ((ProposalException) e).code()).isEqualTo(io.dledger.proto.ErrorCode.OUTCOME_UNKNOWN);
    }

    @Test
    void undecodableEntryStopsTheStateMachine() {
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir).build())) {
            BrokerStateMachine fsm = fsm(store);
            FakeIterator it = new FakeIterator(List.of(new FakeIterator.Entry(1,
                    java.nio.ByteBuffer.wrap(new byte[] {(byte) 0xff, 1, 2}), null)));
            fsm.onApply(it);
            assertThat(it.error).isNotNull();
            assertThat(fsm.error()).contains("entry 1");
            assertThat(store.lastAppliedIndex()).isZero();
        }
    }

    @Test
    void snapshotSaveThenLoadIntoAnEmptyStoreInstallsIt() {
        Path snap = dir.resolve("snap");
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir.resolve("a")).build())) {
            BrokerStateMachine fsm = fsm(store);
            fsm.onApply(new FakeIterator(List.of(follower(1, topic("t", 1)), follower(2, produce("t", 0, 0, 0, "a")))));
            SnapshotFakes.Writer w = new SnapshotFakes.Writer(snap);
            AtomicReference<Status> saved = new AtomicReference<>();
            fsm.onSnapshotSave(w, saved::set);
            assertThat(saved.get().isOk()).isTrue();
            assertThat(w.files).contains("checkpoint").anyMatch(f -> f.startsWith("log/"));
        }
        try (MessageStore other = MessageStore.open(StoreConfig.builder(dir.resolve("b")).build())) {
            BrokerStateMachine fsm = fsm(other);
            assertThat(fsm.onSnapshotLoad(new SnapshotFakes.Reader(snap, 3))).isTrue();
            assertThat(fsm.snapshotsInstalled()).isEqualTo(1);
            assertThat(other.topic("t").maxOffsets()).containsExactly(1);
            assertThat(other.lastAppliedIndex()).isEqualTo(3);
            // loading the same snapshot again finds it contained in the store: no second install
            assertThat(fsm.onSnapshotLoad(new SnapshotFakes.Reader(snap, 3))).isTrue();
            assertThat(fsm.snapshotsInstalled()).isEqualTo(1);
        }
    }

    @Test
    void aFailedStoreTakesNoSnapshot() {
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir).build())) {
            BrokerStateMachine fsm = fsm(store);
            fsm.onApply(new FakeIterator(List.of(follower(1, topic("t", 1)))));
            store.markFailed("disk on fire");
            SnapshotFakes.Writer w = new SnapshotFakes.Writer(dir.resolve("snap"));
            AtomicReference<Status> saved = new AtomicReference<>();
            fsm.onSnapshotSave(w, saved::set);
            assertThat(saved.get().isOk()).isFalse();
            assertThat(saved.get().getErrorMsg()).contains("disk on fire");
            assertThat(w.files).isEmpty();
        }
    }

    @Test
    void anEntryThatFailsPartWayFailsTheStoreSoAStopCheckpointsNothingOfIt() {
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir).build())) {
            BrokerStateMachine fsm = fsm(store);
            fsm.onApply(new FakeIterator(List.of(follower(1, topic("t", 1)))));
            Command deleteT = Command.newBuilder().setDeleteTopic(DeleteTopicCommand.newBuilder().setTopic("t"))
                    .build();
            FakeIterator it = new FakeIterator(List.of(follower(2, deleteT, Command.getDefaultInstance())));
            fsm.onApply(it); // the delete changes memory, then the command without a kind throws
            assertThat(it.error).isNotNull();
            assertThat(store.failure()).contains("entry 2");
        } // a clean stop: no final checkpoint of the half-applied entry
        try (MessageStore reopened = MessageStore.open(StoreConfig.builder(dir).build())) {
            assertThat(reopened.lastAppliedIndex()).isEqualTo(1);
            assertThat(reopened.topic("t")).as("entry 2 is replayed whole after a restart, not half").isNotNull();
        }
    }

    @Test
    void nextFollowingCompletesWhenThisNodeFollowsANewLeaderAndIsRenewed() {
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir.resolve("f")).build())) {
            BrokerStateMachine f = fsm(store);
            java.util.concurrent.CompletableFuture<com.alipay.sofa.jraft.entity.PeerId> first = f.nextFollowing();
            f.onLeaderStart(3);
            assertThat(first).as("leading is not following").isNotDone();
            f.onLeaderStop(com.alipay.sofa.jraft.Status.OK());
            f.onStartFollowing(new com.alipay.sofa.jraft.entity.LeaderChangeContext(
                    new com.alipay.sofa.jraft.entity.PeerId("127.0.0.1", 9002), 4, com.alipay.sofa.jraft.Status.OK()));
            assertThat(first).as("with the leader of that event")
                    .isCompletedWithValue(new com.alipay.sofa.jraft.entity.PeerId("127.0.0.1", 9002));
            assertThat(f.nextFollowing()).as("a fresh future for the next change").isNotDone();
        }
    }

    /** Leader-start work (the group coordinator's reset) is done before the node answers as leader. */
    @Test
    void leadershipListenersRunBeforeTheNodeAnswersAsLeader() {
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir.resolve("l")).build())) {
            BrokerStateMachine f = fsm(store);
            List<Boolean> leaderDuringListener = new ArrayList<>();
            f.onLeadershipStart(() -> leaderDuringListener.add(f.isLeader()));
            f.onLeaderStart(3);
            f.onLeaderStop(com.alipay.sofa.jraft.Status.OK());
            f.onLeaderStart(5);
            assertThat(leaderDuringListener).containsExactly(false, false);
            assertThat(f.isLeader()).isTrue();
            assertThat(f.leaderTerm()).isEqualTo(5);
        }
    }

    /** An overlong node record committed by an older leader (before it checked lengths) must not stop the replicas. */
    @Test
    void anOverlongNodeRecordAlreadyInTheLogIsSkipped() {
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir).build())) {
            BrokerStateMachine fsm = fsm(store);
            Command peer = Command.newBuilder().setPeer(io.dledger.proto.internal.PeerCommand.newBuilder().setId("n7")
                    .setHost("h".repeat(70_000)).setRaftPort(7007).setGrpcPort(9007)).build();
            fsm.onApply(new FakeIterator(List.of(follower(1, topic("t", 1)), follower(2, peer),
                    follower(3, produce("t", 0, 0, 0, "after")))));
            assertThat(fsm.error()).isNull();
            assertThat(store.peerRecords()).isEmpty();
            assertThat(store.lastAppliedIndex()).isEqualTo(3);
        }
    }

    @Test
    void aFailingConfigurationListenerDoesNotEscapeIntoJRaft() {
        try (MessageStore store = MessageStore.open(StoreConfig.builder(dir).build())) {
            BrokerStateMachine fsm = fsm(store);
            List<com.alipay.sofa.jraft.conf.Configuration> seen = new java.util.ArrayList<>();
            fsm.onConfigurationCommitted(conf -> {
                throw new IllegalStateException("RPC client shut down");
            });
            fsm.onConfigurationCommitted(seen::add);
            com.alipay.sofa.jraft.conf.Configuration conf = new com.alipay.sofa.jraft.conf.Configuration();
            conf.parse("127.0.0.1:1,127.0.0.1:2");
            fsm.onConfigurationCommitted(conf); // JRaft would skip its applied-index bookkeeping on a throw
            assertThat(seen).containsExactly(conf);
        }
    }
}
