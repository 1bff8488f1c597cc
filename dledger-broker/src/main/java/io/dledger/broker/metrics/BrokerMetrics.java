package io.dledger.broker.metrics;

import io.dledger.broker.raft.RaftNode;
import io.dledger.broker.readroute.ReadSituation;
import io.dledger.broker.statemachine.BrokerStateMachine;
import io.dledger.broker.statemachine.CommandProposer;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.PullReads;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The node's metrics (names as registered; Prometheus shows them with underscores, e.g.
 * {@code dledger_raft_commit_index}): Raft role, term, leader changes, commit and applied index, each
 * follower's lag, produced messages and bytes, what the store holds, writes waiting for an entry, and the
 * JVM. Per-call rates and latencies come from {@link RpcMetricsInterceptor}. Thread-safe.
 */
public final class BrokerMetrics {
    private final MeterRegistry registry;
    private final Counter producedMessages;
    private final Counter producedBytes;
    private final Counter leaderChanges;
    private final Map<String, Gauge> followerGauges = new HashMap<>(); // guarded by this
    private volatile RaftNode raft;

    public BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmCompilationMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        producedMessages = Counter.builder("dledger.produce.messages").description("messages acknowledged")
                .register(registry);
        producedBytes = Counter.builder("dledger.produce.bytes").description("message body bytes acknowledged")
                .baseUnit("bytes").register(registry);
        leaderChanges = Counter.builder("dledger.raft.leader.changes")
                .description("times this node saw a new leader (itself included)").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** One text for both series: Prometheus keeps one description per metric name. */
    private static final String PULL_READ_BYTES = "log bytes that reads of queues (pulls, digests) took, by path: "
            + "mapped (records copied out of a segment's memory mapping) or positional (runs read with positional "
            + "reads: cold data, the newest bytes, fallbacks)";

    /** Gauges read from the running node. */
    public void bind(RaftNode raft, BrokerStateMachine fsm, MessageStore store, CommandProposer proposer) {
        Gauge.builder("dledger.raft.leader", fsm, f -> f.isLeader() ? 1 : 0)
                .description("1 on the leader, 0 elsewhere").register(registry);
        Gauge.builder("dledger.raft.term", fsm, BrokerStateMachine::knownTerm).register(registry);
        Gauge.builder("dledger.raft.commit.index", raft, RaftNode::commitIndex).register(registry);
        Gauge.builder("dledger.raft.applied.index", raft, RaftNode::appliedIndex).register(registry);
        Gauge.builder("dledger.raft.last.snapshot.index", fsm, BrokerStateMachine::lastSnapshotIndex)
                .register(registry);
        Gauge.builder("dledger.store.messages", store, s -> s.stats().messages())
                .description("messages stored in all queues").register(registry);
        Gauge.builder("dledger.store.bytes", store, s -> s.stats().bytes()).baseUnit("bytes")
                .description("bytes of the message log").register(registry);
        Gauge.builder("dledger.store.segments", store, s -> s.stats().segments()).register(registry);
        FunctionCounter.builder("dledger.store.pull.read.bytes", store.pullReads(), PullReads::mappedBytes)
                .tag("path", "mapped").baseUnit("bytes").description(PULL_READ_BYTES).register(registry);
        FunctionCounter.builder("dledger.store.pull.read.bytes", store.pullReads(), PullReads::positionalBytes)
                .tag("path", "positional").baseUnit("bytes").description(PULL_READ_BYTES).register(registry);
        Gauge.builder("dledger.write.queued", proposer, CommandProposer::queued)
                .description("writes waiting for a Raft entry").register(registry);
        this.raft = raft;
        syncFollowerGauges();
        fsm.onLeaderChange(leaderChanges::increment);
    }

    /**
     * One {@code dledger.raft.follower.lag} gauge per other member of the current configuration: adds
     * gauges for members added online and removes those of members removed. Called at bind time and
     * before every scrape.
     */
    public synchronized void syncFollowerGauges() {
        if (raft == null) {
            return;
        }
        Set<String> current = new java.util.HashSet<>();
        for (ReadSituation.FollowerLag f : raft.followerLags()) {
            String id = f.peer().id();
            current.add(id);
            if (!followerGauges.containsKey(id)) {
                RaftNode r = raft;
                followerGauges.put(id, Gauge.builder("dledger.raft.follower.lag", r, n -> lagOf(n, id))
                        .tag("follower", id)
                        .description("Raft entries the follower is behind (on the leader; -1 elsewhere)")
                        .register(registry));
            }
        }
        followerGauges.entrySet().removeIf(e -> {
            if (current.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue());
            return true;
        });
    }

    private static double lagOf(RaftNode raft, String id) {
        return raft.followerLags().stream().filter(f -> f.peer().id().equals(id)).mapToLong(
                ReadSituation.FollowerLag::lagEntries).findFirst().orElse(-1);
    }

    public void produced(int messages, long bytes) {
        producedMessages.increment(messages);
        producedBytes.increment(bytes);
    }
}
