package io.dledger.broker.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.entity.Task;
import com.google.protobuf.ByteString;
import io.dledger.broker.metrics.WritePathTimers;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.ProduceResult;
import io.dledger.broker.store.StoreConfig;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.internal.CommandBatch;
import io.dledger.proto.internal.CommandMessage;
import io.dledger.proto.internal.CreateTopicCommand;
import io.dledger.proto.internal.ProduceCommand;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Group commit on the leader, with JRaft's node replaced by a recorder of the tasks it is given. */
@Timeout(30)
class CommandProposerTest {
    @TempDir
    Path dir;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<Task> tasks = new ArrayList<>();
    private MessageStore store;
    private BrokerStateMachine fsm;
    private long nextIndex = 1;

    @BeforeEach
    void open() {
        store = MessageStore.open(StoreConfig.builder(dir).build());
        fsm = new BrokerStateMachine(store, Runnable::run);
        fsm.onLeaderStart(3);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private CommandProposer proposer(int maxInflightEntries, long maxQueuedBytes) {
        return proposer(maxInflightEntries, maxQueuedBytes, tasks::add);
    }

    private CommandProposer proposer(int maxInflightEntries, long maxQueuedBytes,
                                     java.util.function.Consumer<Task> apply) {
        CommandProposer p = new CommandProposer(fsm, () -> 1_000L, 1 << 20, maxInflightEntries, maxQueuedBytes,
                new WritePathTimers(registry));
        p.attach((Node) Proxy.newProxyInstance(Node.class.getClassLoader(), new Class<?>[] {Node.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("apply")) {
                        apply.accept((Task) args[0]);
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                }));
        return p;
    }

    /**
     * JRaft's Node.apply on a node shutting down hands the task's closure, with ENODESHUTDOWN, to another thread, then
     * throws: the writes fail through the closure, and the caller gets its failed future, not the exception.
     */
    @Test
    void aNodeShuttingDownFailsTheWritesThroughTheirFutures() {
        CommandProposer p = proposer(1, 1 << 20, task -> {
            new Thread(() -> task.getDone().run(new Status(com.alipay.sofa.jraft.error.RaftError.ENODESHUTDOWN,
                    "Node is shutting down."))).start();
            throw new IllegalStateException("Node is shutting down");
        });
        CompletableFuture<ProduceResult> first = p.produce(message("a"), 10);
        assertThat(failure(first)).isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
        assertThat(failure(p.produce(message("b"), 10))).as("the pipeline's slot came back")
                .isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
    }

    /** Commits and applies the task the way JRaft would on the leader. */
    private void commit(Task task) {
        fsm.onApply(new FakeIterator(List.of(new FakeIterator.Entry(nextIndex++, task.getData(), task.getDone()))));
    }

    private static ProduceCommand message(String body) {
        return ProduceCommand.newBuilder().setTopic("t").addMessages(CommandMessage.newBuilder().setQueue(0)
                .setBody(ByteString.copyFromUtf8(body))).build();
    }

    private static ErrorCode failure(CompletableFuture<?> f) {
        assertThat(f).failsWithin(Duration.ofSeconds(1));
        try {
            f.get();
            throw new AssertionError("expected a failure");
        } catch (ExecutionException e) {
            return ((ProposalException) e.getCause()).code();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void writesArrivingWhileThePipelineIsFullShareTheNextEntry() throws Exception {
        CommandProposer p = proposer(1, 1 << 20);
        CompletableFuture<?> topic = p.createTopic(CreateTopicCommand.newBuilder().setTopic("t").setQueues(1).build());
        assertThat(tasks).hasSize(1); // proposed at once: nothing in flight
        CompletableFuture<ProduceResult> a = p.produce(message("a"), 10);
        CompletableFuture<ProduceResult> b = p.produce(message("b"), 10);
        assertThat(tasks).hasSize(1); // the pipeline (one entry) is full: both wait
        assertThat(p.queued()).isEqualTo(2);

        commit(tasks.get(0));
        assertThat(topic).isCompleted();
        assertThat(tasks).hasSize(2); // the entry's completion proposed the waiting writes, together
        assertThat(CommandCodec.decode(tasks.get(1).getData()).getCommandsCount()).isEqualTo(2);

        commit(tasks.get(1));
        assertThat(a.get().offsets()).containsExactly(0);
        assertThat(b.get().offsets()).containsExactly(1);
        assertThat(a.get().raftIndex()).isEqualTo(b.get().raftIndex());
        assertThat(registry.get("dledger.write.stage").tag("stage", "queued").timer().count()).isEqualTo(3);
        assertThat(registry.get("dledger.write.stage").tag("stage", "replicated").timer().count()).isEqualTo(3);
    }

    @Test
    void aTopicDeletedAndCreatedAgainTakesTwoEntries() throws Exception {
        CommandProposer p = proposer(1, 1 << 20);
        p.createTopic(CreateTopicCommand.newBuilder().setTopic("t").setQueues(1).build());
        CompletableFuture<Boolean> deleted = p.deleteTopic("t");
        CompletableFuture<?> other = p.createTopic(CreateTopicCommand.newBuilder().setTopic("u").setQueues(1).build());
        CompletableFuture<io.dledger.broker.store.TopicResult> again =
                p.createTopic(CreateTopicCommand.newBuilder().setTopic("t").setQueues(2).build());
        commit(tasks.get(0));
        assertThat(CommandCodec.decode(tasks.get(1).getData()).getCommandsCount()).isEqualTo(2); // delete t, create u
        commit(tasks.get(1));
        assertThat(deleted.get()).isTrue();
        assertThat(other).isCompleted();
        assertThat(tasks).hasSize(3); // create t again: its own entry, after the old files are gone
        commit(tasks.get(2));
        assertThat(again.get().status()).isEqualTo(io.dledger.broker.store.TopicResult.Status.CREATED);
        assertThat(store.topic("t").queues()).isEqualTo(2);
    }

    @Test
    void writesBeyondTheQueueLimitAreRejectedAsBusy() {
        CommandProposer p = proposer(1, 25);
        p.produce(message("in flight"), 20);
        p.produce(message("waits"), 20);
        assertThat(failure(p.produce(message("over the limit"), 20))).isEqualTo(ErrorCode.BUSY);
        assertThat(p.queued()).isEqualTo(1);
    }

    @Test
    void onlyTheLeaderProposesAndWaitingWritesFailWhenItStepsDown() {
        CommandProposer p = proposer(1, 1 << 20);
        p.produce(message("in flight"), 10);
        CompletableFuture<ProduceResult> waiting = p.produce(message("waits"), 10);
        fsm.onLeaderStop(new Status(-1, "a newer term"));
        assertThat(failure(p.produce(message("too late"), 10))).isEqualTo(ErrorCode.NOT_LEADER);

        tasks.get(0).getDone().run(new Status(-1, "not committed by this leader"));
        assertThat(failure(waiting)).isEqualTo(ErrorCode.NOT_LEADER);
        assertThat(tasks).hasSize(1); // nothing more was proposed
        assertThat(p.queued()).isZero();
    }
}
