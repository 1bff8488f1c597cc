package io.dledger.broker.bench;

import io.dledger.broker.check.AckLedger;
import io.dledger.broker.check.LossReport;
import io.dledger.broker.check.ReplicaComparison;
import io.dledger.broker.local.LocalCluster;
import io.dledger.client.ClusterView;
import io.dledger.client.DLedgerClient;
import io.dledger.client.Message;
import io.dledger.client.Producer;
import io.dledger.client.SendResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failover: one sender sends a message every 10 ms; after 3 s the leader's process gets SIGKILL.
 * Measures the time from the kill to the acknowledgement of the first send started after the process
 * is gone, the time until another node reports itself leader, and the sends that failed for the
 * caller. The killed node is restarted and caught up before the next trial. Finally every
 * acknowledged message must be readable exactly once.
 */
final class FailoverBench {
    private static final long SEND_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final LocalCluster cluster;
    private final DLedgerClient client;
    private final BenchReport report;
    private final String topic;
    private final AckLedger ledger = AckLedger.byBody();

    FailoverBench(LocalCluster cluster, DLedgerClient client, BenchReport report, String topic) {
        this.cluster = cluster;
        this.client = client;
        this.report = report;
        this.topic = topic;
    }

    /** What one trial measured. */
    record Trial(double recoveryMs, double leaderVisibleMs, long failedSends) {
    }

    void run(int trials) throws InterruptedException {
        List<Double> recovery = new ArrayList<>();
        List<Double> visible = new ArrayList<>();
        List<Double> failed = new ArrayList<>();
        for (int t = 1; t <= trials; t++) {
            Trial r = trial(t);
            if (Double.isNaN(r.recoveryMs())) {
                report.failure("failover trial " + t + ": no send started after the kill was acknowledged within 60 s");
            }
            report.result(ResultLine.of("failover_recovery_ms", r.recoveryMs()));
            report.result(ResultLine.of("failover_new_leader_visible_ms", r.leaderVisibleMs()));
            report.result(ResultLine.of("failover_failed_sends", r.failedSends()));
            recovery.add(r.recoveryMs());
            visible.add(r.leaderVisibleMs());
            failed.add((double) r.failedSends());
        }
        report.result(ResultLine.of("failover_recovery_ms_median", BenchReport.median(recovery)));
        report.result(ResultLine.of("failover_new_leader_visible_ms_median", BenchReport.median(visible)));
        report.result(ResultLine.of("failover_failed_sends_median", BenchReport.median(failed)));
        LossReport loss = ledger.verify(client, topic);
        report.comment("loss check: " + loss.summary());
        if (!loss.ok()) {
            report.failure("loss check: " + loss.summary());
        }
        // the loss check read the leader's copy; every node's must be the same (the killed ones caught up)
        ReplicaComparison replicas = ReplicaComparison.await(client, topic, Duration.ofSeconds(30));
        if (replicas.ok()) {
            report.comment("replicas: identical on " + String.join(", ", replicas.digests().keySet()));
        } else {
            report.failure("replicas of " + topic + " are not identical on every node (nodes without digests: "
                    + replicas.failed() + "; applied indexes: " + replicas.digests().values().stream()
                    .map(d -> d.nodeId() + "=" + d.appliedIndex()).toList() + "); bin/dledger topic compare lists "
                    + "the queues that differ");
        }
        report.result(ResultLine.of("loss_lost_acked", loss.lost().size() + loss.misplaced().size()));
        report.result(ResultLine.of("loss_duplicates", loss.duplicates().size()));
    }

    private Trial trial(int n) throws InterruptedException {
        String leader = awaitLeader(null);
        report.comment("failover trial " + n + ": leader is " + leader + "; killing it after 3 s of sends");
        AtomicLong failures = new AtomicLong();
        AtomicLong goneAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstAckAfterGone = new AtomicLong(Long.MAX_VALUE);
        Sender sender = new Sender(n, failures, goneAt, firstAckAfterGone);
        Thread th = new Thread(sender, "failover-sender");
        th.start();
        Thread.sleep(3000);
        long killedAt = System.nanoTime();
        cluster.kill(leader);
        goneAt.set(System.nanoTime());
        String newLeader = awaitLeader(leader);
        long visibleAt = System.nanoTime();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (firstAckAfterGone.get() == Long.MAX_VALUE && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(1000);
        sender.stop();
        th.join();
        report.comment("failover trial " + n + ": new leader " + newLeader + ", " + sender.acked
                + " sends acknowledged");
        cluster.start(leader);
        awaitCaughtUp(leader);
        double recovery = firstAckAfterGone.get() == Long.MAX_VALUE ? Double.NaN
                : (firstAckAfterGone.get() - killedAt) / 1e6;
        return new Trial(recovery, (visibleAt - killedAt) / 1e6, failures.get());
    }

    /** Sends a uniquely named message every 10 ms until stopped, recording acknowledgements. */
    private final class Sender implements Runnable {
        private final int trial;
        private final AtomicLong failures;
        private final AtomicLong goneAt;
        private final AtomicLong firstAckAfterGone;
        private volatile boolean running = true;
        private long acked;

        Sender(int trial, AtomicLong failures, AtomicLong goneAt, AtomicLong firstAckAfterGone) {
            this.trial = trial;
            this.failures = failures;
            this.goneAt = goneAt;
            this.firstAckAfterGone = firstAckAfterGone;
        }

        void stop() {
            running = false;
        }

        @Override
        public void run() {
            try (Producer p = client.newProducer()) {
                long next = System.nanoTime();
                for (int i = 0; running; i++) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    next += SEND_INTERVAL_NANOS;
                    String body = "failover-" + trial + "-" + i;
                    long started = System.nanoTime();
                    try {
                        SendResult r = p.send(topic, Message.of(body));
                        ledger.acked(body, r.queue(), r.offset());
                        acked++;
                        if (started >= goneAt.get()) {
                            firstAckAfterGone.compareAndSet(Long.MAX_VALUE, System.nanoTime());
                        }
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String awaitLeader(String notThis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                ClusterView v = client.admin().describeCluster();
                if (v.leaderId() != null && !v.leaderId().equals(notThis)) {
                    return v.leaderId();
                }
            } catch (RuntimeException e) {
                // election in progress
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("no new leader within 60 s");
    }

    private void awaitCaughtUp(String node) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                ClusterView v = client.admin().describeCluster();
                long leaderApplied = v.nodes().stream().filter(x -> x.id().equals(v.leaderId()))
                        .mapToLong(x -> x.appliedIndex()).findFirst().orElse(-1);
                boolean caughtUp = v.nodes().stream().anyMatch(x -> x.id().equals(node) && x.reachable()
                        && x.appliedIndex() >= leaderApplied && leaderApplied > 0);
                if (caughtUp) {
                    return;
                }
            } catch (RuntimeException e) {
                // restarting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(node + " did not catch up within 90 s");
    }
}
