package io.dledger.broker.cli;

import io.dledger.broker.check.AckLedger;
import io.dledger.broker.check.LossReport;
import io.dledger.broker.local.LocalClients;
import io.dledger.broker.local.LocalCluster;
import io.dledger.broker.local.StopOnExit;
import io.dledger.broker.store.FileTree;
import io.dledger.client.ClusterView;
import io.dledger.client.DLedgerClient;
import io.dledger.client.Message;
import io.dledger.client.Producer;
import io.dledger.client.SendResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dledger demo}: the tour. Starts a three-node cluster of separate processes, produces and
 * consumes, kills the leader with SIGKILL, measures how long until the next write is acknowledged,
 * writes and reads again, checks that every acknowledged message is stored exactly once, brings the
 * killed node back, and stops everything. Exit status 0 only when every check held.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start a local 3-node cluster, produce, consume, kill the leader, verify nothing was lost.")
final class DemoCommand implements Callable<Integer> {
    /** Marks a demo's cluster directory: a later demo wipes only such a one (or its default directory's). */
    static final String DEMO_MARKER = ".demo";

    private static final String TOPIC = "demo";

    @Option(names = "--messages", defaultValue = "1000", description = "messages per round (default: ${DEFAULT-VALUE})")
    int messages;

    @Option(names = "--dir", description = "where the demo cluster lives: a new or empty directory, or an earlier "
            + "demo's (default: $DLEDGER_HOME/demo; wiped first)")
    Path dir;

    @Option(names = "--keep", description = "leave the cluster running at the end")
    boolean keep;

    private int step;

    @Override
    public Integer call() throws Exception {
        Path defaultDir = ClusterCommand.defaultDir().resolveSibling("demo");
        Path d = dir != null ? dir.toAbsolutePath().normalize() : defaultDir;
        boolean demos = d.equals(defaultDir) || Files.exists(d.resolve(DEMO_MARKER));
        String unfit = !LocalCluster.exists(d) ? LocalCluster.unfitForNewCluster(d)
                : demos ? null : d + " holds a cluster that is not a demo's ('cluster up' made it?), which the demo "
                        + "would wipe: give another directory";
        if (unfit != null) { // the demo wipes its directory: only a cluster's own, or an empty one
            System.err.println("error: " + unfit);
            return 2;
        }
        wipe(d);
        LocalCluster cluster = LocalCluster.create(d, 3, 0, Map.of());
        Files.createDirectories(d);
        Files.writeString(d.resolve(DEMO_MARKER), "a cluster of 'dledger demo': the next demo may wipe it\n");
        boolean ok = false;
        StopOnExit onExit = new StopOnExit(d, Duration.ofSeconds(15), false); // Ctrl-C: stop the nodes, keep the logs
        try {
            ok = run(cluster);
        } finally {
            onExit.close();
            if (keep && ok) {
                System.out.println("\ncluster left running; stop it with: bin/dledger cluster down"
                        + ClusterCommand.dirFlag(d));
            } else {
                say("Stopping the cluster");
                cluster.stopAll(Duration.ofSeconds(15));
                System.out.println("   all node processes stopped");
                if (ok) { // a failed run keeps its data and node logs to look at
                    try {
                        FileTree.deleteRecursively(d);
                        System.out.println("   data removed (" + d + ")");
                    } catch (IOException e) {
                        System.out.println("   could not remove " + d + ": " + e.getMessage());
                    }
                }
            }
        }
        System.out.println(ok ? "\nDEMO PASSED: every acknowledged message survived the leader's death."
                : "\nDEMO FAILED (node logs: " + d + "/<node>/node.log)");
        return ok ? 0 : 1;
    }

    private boolean run(LocalCluster cluster) throws Exception {
        say("Starting 3 broker nodes (separate JVMs) in " + cluster.dir());
        cluster.startAll();
        ClusterView view = ClusterReadiness.awaitLeader(cluster, Duration.ofSeconds(90));
        if (view == null) {
            return fail("no leader was elected within 90 s");
        }
        ClusterTable.print(view, System.out);

        try (DLedgerClient client = LocalClients.builder(cluster)
                .operationTimeout(Duration.ofSeconds(30)).build();
             Producer producer = client.newProducer()) {
            say("Creating topic '" + TOPIC + "' with 4 queues");
            client.admin().createTopic(TOPIC, 4);

            AckLedger ledger = AckLedger.byBody();
            say("Producing " + messages + " messages (each acknowledged after a Raft majority stored it)");
            long t0 = System.nanoTime();
            produce(producer, ledger, "round1", messages);
            System.out.printf("   %d acknowledged in %d ms, one synchronous send at a time on JVMs just started (their "
                    + "JIT compilers still busy: bin/dledger bench measures speed)%n", messages,
                    (System.nanoTime() - t0) / 1_000_000);

            say("Consuming them back");
            LossReport first = ledger.verify(client, TOPIC);
            System.out.println("   " + first.summary());
            if (!first.ok()) {
                return fail("messages missing after the first round");
            }

            String leader = view.leaderId();
            say("Killing the leader " + leader + " with SIGKILL (kill -9)");
            long killedAt = System.nanoTime();
            cluster.kill(leader);
            long gone = System.nanoTime();
            SendResult r = producer.send(TOPIC, Message.of("after-kill-0"));
            long ackedAt = System.nanoTime();
            ledger.acked("after-kill-0", r.queue(), r.offset());
            ClusterView after = client.admin().describeCluster();
            System.out.printf("   new leader: %s (term %d)%n", after.leaderId(), after.term());
            System.out.printf("   from the kill to the first acknowledged produce: %d ms%n",
                    (ackedAt - killedAt) / 1_000_000);
            System.out.printf("   (process gone after %d ms; the client retried on its own, no send failed)%n",
                    (gone - killedAt) / 1_000_000);
            if (leader.equals(after.leaderId())) {
                return fail("the dead node is still reported as leader");
            }

            say("Producing " + messages + " more messages with one node down");
            produce(producer, ledger, "round2", messages);

            say("Checking that every acknowledged message is stored exactly once");
            LossReport second = ledger.verify(client, TOPIC);
            System.out.println("   " + second.summary());
            if (!second.ok()) {
                return fail("acknowledged messages were lost or duplicated");
            }

            say("Restarting " + leader + "; it catches up from the new leader");
            cluster.start(leader);
            if (!awaitCaughtUp(client, leader, Duration.ofSeconds(60))) {
                return fail(leader + " did not catch up within 60 s");
            }
            ClusterTable.print(client.admin().describeCluster(), System.out);
            return true;
        }
    }

    private static void produce(Producer producer, AckLedger ledger, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            String body = prefix + "-" + i;
            SendResult r = producer.send(TOPIC, Message.of(body).withKey("key-" + (i % 32)));
            ledger.acked(body, r.queue(), r.offset());
        }
    }

    private static boolean awaitCaughtUp(DLedgerClient client, String node, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                String leader = client.admin().describeCluster().leaderId();
                if (leader != null && client.admin().queueDigests(node, TOPIC).queues()
                        .equals(client.admin().queueDigests(leader, TOPIC).queues())) {
                    System.out.println("   " + node + " holds the same queues as the leader (digests match)");
                    return true;
                }
            } catch (RuntimeException e) {
                // still starting
            }
            ClusterCommand.sleep(250);
        }
        return false;
    }

    private void say(String what) {
        System.out.println("\n" + (++step) + ". " + what);
    }

    private static boolean fail(String why) {
        System.out.println("   FAILED: " + why);
        return false;
    }

    private static void wipe(Path d) throws IOException {
        if (LocalCluster.exists(d)) {
            LocalCluster.load(d).stopAll(Duration.ofSeconds(10));
        }
        FileTree.deleteRecursively(d);
    }
}
