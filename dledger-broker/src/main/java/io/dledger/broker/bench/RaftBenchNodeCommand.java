package io.dledger.broker.bench;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import io.dledger.broker.config.ConfigException;
import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.config.NodeConfigLoader;
import io.dledger.broker.local.LocalCluster;
import io.dledger.broker.local.NodeProcess;
import io.dledger.broker.raft.RaftGroupSetup;
import io.dledger.broker.security.NodeCredentials;
import io.dledger.broker.raft.log.AppendObserver;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One node of {@code dledger bench raft}, started by it (hidden from help): the broker's Raft member
 * ({@link RaftGroupSetup}, same settings as {@code dledger node}) with a state machine that ignores its entries. The
 * first time a node becomes leader it runs {@link RaftLoad} and writes its report to {@link RaftBench#REPORT_FILE} in
 * its data directory, ending with {@link RaftBench#DONE}. Every node serves until it is stopped or the benchmark's
 * process (its parent) ends.
 */
@Command(name = "raft-bench-node", hidden = true, description = "One node of 'dledger bench raft' (it starts them).")
public final class RaftBenchNodeCommand implements Callable<Integer> {
    @Option(names = "--set", description = "any node setting as key=value (repeatable)")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--threads", split = ",", required = true)
    List<Integer> threads;

    @Option(names = "--size", required = true)
    int size;

    @Option(names = "--warmup", required = true)
    int warmupSecs;

    @Option(names = "--duration", required = true)
    int durationSecs;

    @Option(names = "--windows", required = true)
    int windows;

    @Option(names = "--parent-pid", required = true, description = "the benchmark's process: this node ends with it")
    long parentPid;

    @Override
    public Integer call() throws Exception {
        List<String> unknown = new ArrayList<>();
        NodeConfig config;
        try {
            config = NodeConfigLoader.load(ConfigKey.fromSettings(settings, unknown), System.getenv(), null, unknown);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // the benchmark's process started this one: when it ends, however it ends (even kill -9), so does this node.
        // Watched from the start, by pid: once it is gone this JVM's parent is some other process
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        if (parent.isEmpty()) {
            System.err.println("the benchmark's process " + parentPid + " is gone; not starting");
            return 1;
        }
        parent.get().onExit().thenRun(stopped::countDown);
        CompletableFuture<Node> node = new CompletableFuture<>(); // set once start returns
        AtomicBoolean loadStarted = new AtomicBoolean();
        // set before JRaft shuts down: the load stops, its errors are quiet
        AtomicBoolean closing = new AtomicBoolean();
        // the load starts when this node first becomes leader, whenever that is: a node that checked once could miss
        // its turn, and no node would run it
        IgnoringStateMachine fsm = new IgnoringStateMachine(() -> {
            if (loadStarted.compareAndSet(false, true)) {
                Thread load = new Thread(() -> runLoad(config, node.join(), closing), "bench-raft-load");
                load.setDaemon(true);
                load.start();
            }
        });
        RaftGroupSetup.Started raft = RaftGroupSetup.start(config, NodeCredentials.load(config).raft(), config.peers(),
                fsm, AppendObserver.NONE);
        node.complete(raft.node());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closing.set(true);
            raft.service().shutdown();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }

    /** Runs the load on this node, the leader, and writes the report the benchmark's process copies. */
    private void runLoad(NodeConfig config, Node node, AtomicBoolean closing) {
        Path file = config.dataDir().resolve(RaftBench.REPORT_FILE);
        try (PrintStream out = new PrintStream(new FileOutputStream(file.toFile()), true, StandardCharsets.UTF_8)) {
            BenchReport report = new BenchReport(out);
            report.comment("load average at start: " + BenchReport.loadAverage() + " ("
                    + Runtime.getRuntime().availableProcessors() + " cpus); leader " + config.nodeId());
            new RaftLoad(node, new RaftLoad.Options(threads, size, Duration.ofSeconds(warmupSecs),
                    Duration.ofSeconds(durationSecs), windows), report, () -> nodesCpu(config), closing::get).run();
            if (!closing.get()) {
                report.comment("load average at end: " + BenchReport.loadAverage());
                report.comment(RaftBench.DONE);
            }
        } catch (IOException | RuntimeException e) {
            if (closing.get()) { // the node is shutting down under the load: the run is over, not failed
                return;
            }
            System.err.println("the Raft benchmark's load failed: " + e);
            e.printStackTrace();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The CPU time of every node of the local cluster this node belongs to (from its cluster file), added up. */
    private static OptionalDouble nodesCpu(NodeConfig config) {
        try {
            LocalCluster cluster = LocalCluster.load(config.dataDir().getParent());
            double nanos = 0;
            for (NodeProcess n : cluster.nodes()) {
                var cpu = n.handle().flatMap(h -> h.info().totalCpuDuration());
                if (cpu.isEmpty()) {
                    return OptionalDouble.empty();
                }
                nanos += cpu.get().toNanos();
            }
            return OptionalDouble.of(nanos);
        } catch (RuntimeException e) { // no cluster file: started by hand
            return OptionalDouble.empty();
        }
    }

    /**
     * Applies entries by ignoring them: the benchmark measures the Raft layer, not a state machine. Tells
     * {@code onLeaderStart} each time this node becomes leader (on JRaft's state machine thread: it must not block).
     */
    private static final class IgnoringStateMachine extends StateMachineAdapter {
        private final Runnable onLeaderStart;

        IgnoringStateMachine(Runnable onLeaderStart) {
            this.onLeaderStart = onLeaderStart;
        }

        @Override
        public void onLeaderStart(long term) {
            super.onLeaderStart(term);
            onLeaderStart.run();
        }

        @Override
        public void onApply(Iterator it) {
            while (it.hasNext()) {
                Closure done = it.done();
                if (done != null) {
                    done.run(Status.OK());
                }
                it.next();
            }
        }

        @Override
        public void onSnapshotSave(SnapshotWriter writer, Closure done) {
            done.run(Status.OK()); // nothing to keep: the snapshot lets JRaft drop its log
        }

        @Override
        public boolean onSnapshotLoad(SnapshotReader reader) {
            return true;
        }
    }
}
