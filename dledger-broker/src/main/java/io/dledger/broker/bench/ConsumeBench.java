package io.dledger.broker.bench;

import io.dledger.client.DLedgerClient;
import io.dledger.client.DLedgerException;
import io.dledger.client.Message;
import io.dledger.client.Producer;
import io.dledger.client.PullConsumer;
import io.dledger.client.PullRequestOptions;
import io.dledger.client.PullResult;
import io.dledger.client.TopicDescription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Consume throughput: a fresh consumer reads every message of a topic from its first offset, one
 * thread per queue (up to {@code threads}), and counts how many messages followers served. Warm-up
 * reads of the same topic come first and are reported as comments only.
 */
final class ConsumeBench {
    private final DLedgerClient client;
    private final BenchReport report;

    ConsumeBench(DLedgerClient client, BenchReport report) {
        this.client = client;
        this.report = report;
    }

    /** Fills {@code topic} with {@code count} messages of {@code size} bytes (batched, async). */
    void fill(String topic, long count, int size) {
        report.comment("consume: writing " + count + " messages of " + size + " bytes to " + topic);
        byte[] body = new byte[size];
        ThreadLocalRandom.current().nextBytes(body);
        List<CompletableFuture<?>> pending = new ArrayList<>();
        try (Producer p = client.newProducer()) {
            long sent = 0;
            while (sent < count) {
                List<Message> batch = new ArrayList<>();
                for (int i = 0; i < 100 && sent < count; i++, sent++) {
                    batch.add(Message.of(body));
                }
                pending.add(p.sendBatchAsync(topic, batch));
                if (pending.size() >= 64) {
                    pending.remove(0).join();
                }
            }
            pending.forEach(CompletableFuture::join);
        }
    }

    /**
     * Reads the whole topic with a fresh consumer as warm-up (repeated until {@code warmup} has passed, at
     * least once; the JIT of the client and of the nodes' read path is what it warms), then measures
     * {@code windows} more full reads, each by another fresh consumer: {@code consume_msgs_per_s} is their median
     * rate (one read of a second or two moves with a GC pause or a stolen core), {@code follower_read_share} the
     * share of all their messages that followers served; each read is a comment line.
     */
    void run(String topic, int threads, Duration warmup, int windows) throws Exception {
        long warmUntil = System.nanoTime() + warmup.toNanos();
        int passes = 0;
        do {
            Pass w = readAll(topic, threads);
            passes++;
            report.comment(String.format("consume: warm-up read %d of %d messages: %.0f msgs/s", passes, w.total,
                    w.total / w.seconds));
        } while (System.nanoTime() < warmUntil);
        List<Double> rates = new ArrayList<>();
        long total = 0;
        long byFollowers = 0;
        for (int i = 1; i <= windows; i++) {
            Pass p = readAll(topic, threads);
            rates.add(p.total / p.seconds);
            total += p.total;
            byFollowers += p.byFollowers;
            report.comment("consume: " + (windows > 1 ? "measured read " + i + " of " + windows + ": " : "read ")
                    + p.total + " messages in " + String.format("%.2f", p.seconds) + " s"
                    + (windows > 1 ? String.format(", %.0f msgs/s, %.2f of them from followers", p.total / p.seconds,
                    share(p.byFollowers, p.total)) : ""));
        }
        report.result(ResultLine.of("consume_msgs_per_s", BenchReport.median(rates)));
        report.result(ResultLine.of("follower_read_share", share(byFollowers, total))); // over all measured reads
    }

    private static double share(long part, long total) {
        return total == 0 ? 0 : (double) part / total;
    }

    private record Pass(long total, long byFollowers, double seconds) {
    }

    /** One fresh consumer reads every queue from its first offset to its end, following suggestions. */
    private Pass readAll(String topic, int threads) throws Exception {
        TopicDescription d = client.admin().describeTopic(topic);
        String leader = client.admin().leaderId().orElse("");
        AtomicLong total = new AtomicLong();
        AtomicLong byFollowers = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, d.queues())));
        long start = System.nanoTime();
        try (PullConsumer consumer = client.newPullConsumer()) {
            List<CompletableFuture<Void>> queues = new ArrayList<>();
            for (int q = 0; q < d.queues(); q++) {
                int queue = q;
                long from = d.queueRanges().get(q).minOffset();
                queues.add(CompletableFuture.runAsync(() -> readQueue(consumer, topic, queue, from, leader, total,
                        byFollowers), pool));
            }
            for (CompletableFuture<Void> f : queues) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Pass(total.get(), byFollowers.get(), (System.nanoTime() - start) / 1e9);
    }

    /** Empty answers in a row before a read gives up (a leader change is over well before that). */
    private static final int MAX_EMPTY_IN_ROW = 1000;

    private static void readQueue(PullConsumer consumer, String topic, int queue, long from, String leader,
                                  AtomicLong total, AtomicLong byFollowers) {
        long offset = from;
        String node = null; // start at the leader, then go where each answer suggests
        int emptyInRow = 0;
        while (true) {
            PullResult r;
            try {
                r = consumer.pull(new PullRequestOptions(topic, queue, offset, 1000, 0, node));
            } catch (DLedgerException e) {
                if (!e.retryable() && node == null) {
                    throw e; // the leader would fail the same pull again: the pass fails instead of spinning
                }
                node = null; // a follower's error (it went down, say): ask the leader
                continue;
            }
            node = r.suggestedNodeId();
            if (r.messages().isEmpty()) {
                if (offset >= r.maxOffset() && leader.equals(r.servedBy()) && !r.followerBehind()) {
                    return; // a deposed leader that lags as a follower answers followerBehind, and does not count
                }
                node = null; // a follower had no more: make sure with the leader
                if (++emptyInRow > MAX_EMPTY_IN_ROW) {
                    throw new IllegalStateException("queue " + queue + " of " + topic + ": " + MAX_EMPTY_IN_ROW
                            + " empty answers in a row at offset " + offset + " (the last from " + r.servedBy()
                            + ", its end " + r.maxOffset() + "): the read cannot finish");
                }
                continue;
            }
            emptyInRow = 0;
            total.addAndGet(r.messages().size());
            if (!leader.equals(r.servedBy())) {
                byFollowers.addAndGet(r.messages().size());
            }
            offset = r.nextOffset();
        }
    }
}
