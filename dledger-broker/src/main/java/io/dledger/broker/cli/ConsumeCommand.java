package io.dledger.broker.cli;

import io.dledger.client.DLedgerClient;
import io.dledger.client.DLedgerException;
import io.dledger.client.ErrorCode;
import io.dledger.client.PullConsumer;
import io.dledger.client.PullRequestOptions;
import io.dledger.client.PullResult;
import io.dledger.client.PushConsumer;
import io.dledger.client.PushConsumerOptions;
import io.dledger.client.ReceivedMessage;
import io.dledger.client.TopicDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dledger consume}: pulls a topic's messages by queue and offset and prints them. */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = "Read messages of a topic (all queues, or one) from an offset or a time, all or those with "
                + "given tags.")
final class ConsumeCommand implements Callable<Integer> {
    /** Answers in a row from followers that lack the offset before a queue counts as read to its end. */
    private static final int MAX_BEHIND_IN_ROW = 3;

    @Mixin
    ClientOptions client;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-t", "--topic"}, required = true, description = "topic")
    String topic;

    @Option(names = {"-q", "--queue"}, description = "only this queue (default: every queue)")
    Integer queue;

    @Option(names = "--from", description = "start offset (default: the queue's first stored offset)")
    Long from;

    @Option(names = "--from-time", paramLabel = "TIME", description = "start at each queue's first message stored at "
            + "or after TIME (with --group: where a queue the group never committed starts): " + TimeArgument.FORMS)
    String fromTime;

    @Option(names = "--tag", paramLabel = "TAG", description = "only messages with this tag (repeat for any of "
            + "several; the nodes pass the others over; with --group they count as consumed)")
    List<String> tags = new ArrayList<>();

    @Option(names = {"-n", "--count"}, defaultValue = "100",
            description = "stop after this many messages (default: ${DEFAULT-VALUE}; 0: all)")
    long count;

    @Option(names = "--body-chars", defaultValue = "80", description = "print at most this much of each body")
    int bodyChars;

    @Option(names = "--node", paramLabel = "ID", description = "read from this node (e.g. a follower, to see its "
            + "copy) instead of the leader; not with --group")
    String node;

    @Option(names = {"-g", "--group"}, description = "consume as a member of this consumer group: the group's queues "
            + "are shared with its other members, offsets are committed, pulls follow the nodes' suggestions")
    String group;

    @Option(names = "--idle-exit", defaultValue = "5",
            description = "with --group: stop after this many seconds without a new message, counted once the "
                    + "group has given this member queues (default: ${DEFAULT-VALUE}; 0: run until Ctrl-C)")
    int idleExitSeconds;

    @Override
    public Integer call() throws InterruptedException {
        if (new OptionLimits().atLeast("--count", count, 0).atLeast("--from", from, 0)
                .atLeast("--body-chars", bodyChars, 0).atLeast("--idle-exit", idleExitSeconds, 0).reportTo(System.err)) {
            return 2;
        }
        if (from != null && fromTime != null) {
            System.err.println("error: --from and --from-time: give one start");
            return 2;
        }
        Long at = fromTime == null ? null : TimeArgument.parse("--from-time", fromTime); // before any connection
        if (group == null && parsedIdleExit()) {
            System.err.println("error: --idle-exit applies with --group only");
            return 2;
        }
        if (group != null) {
            if (queue != null || from != null || node != null) {
                System.err.println("error: --queue, --from and --node do not apply with --group: the group's members "
                        + "share the topic's queues, go on from the group's committed offsets and read where the nodes "
                        + "suggest");
                return 2;
            }
            return consumeAsGroup(at);
        }
        long printed = 0;
        try (DLedgerClient c = client.connect(); PullConsumer consumer = c.newPullConsumer()) {
            TopicDescription d = c.admin().describeTopic(topic);
            List<Integer> queues = new ArrayList<>();
            if (queue != null) {
                if (queue < 0 || queue >= d.queues()) {
                    System.err.println("error: topic '" + topic + "' has queues 0.." + (d.queues() - 1) + ", not "
                            + queue);
                    return 2;
                }
                queues.add(queue);
            } else {
                for (int q = 0; q < d.queues(); q++) {
                    queues.add(q);
                }
            }
            Map<Integer, Long> atTime = at == null ? Map.of() : consumer.offsetsForTime(topic, at,
                    queues.stream().mapToInt(Integer::intValue).toArray()).offsets();
            for (int q : queues) {
                long offset = at != null ? atTime.get(q) : from != null ? from : d.queueRanges().get(q).minOffset();
                int behind = 0;
                while (count == 0 || printed < count) {
                    PullResult r = pull(consumer, q, offset);
                    if (r.messages().isEmpty() && r.nextOffset() > offset) {
                        offset = r.nextOffset(); // only messages the tag filter passed over
                        continue;
                    }
                    if (r.messages().isEmpty()) {
                        if (r.followerBehind() && node == null && ++behind <= MAX_BEHIND_IN_ROW) {
                            continue; // a follower taken for the leader: the next pull goes where it points
                        }
                        long leaderEnd = d.queueRanges().get(q).maxOffset(); // when the command started
                        if (node != null && (r.followerBehind() || r.maxOffset() < leaderEnd)) {
                            System.err.println(node + " has " + topic + "/" + q + " up to offset " + r.maxOffset()
                                    + ", the leader had " + leaderEnd + " (" + node + " may lag behind); read without "
                                    + "--node for the leader's copy");
                        }
                        break;
                    }
                    behind = 0;
                    for (ReceivedMessage m : r.messages()) {
                        if (count != 0 && printed >= count) {
                            break;
                        }
                        System.out.println(format(m));
                        printed++;
                    }
                    offset = r.nextOffset();
                }
            }
        }
        System.out.println(printed + (printed == 1 ? " message" : " messages") + (node == null ? "" : " from " + node));
        return 0;
    }

    /** One pull; an offset past a queue's end that {@code --from} gave reads as bad input, with what to do. */
    private PullResult pull(PullConsumer consumer, int q, long offset) {
        try {
            return consumer.pull(PullRequestOptions.of(topic, q, offset).withMaxMessages(256).fromNode(node)
                    .withTags(tags.toArray(String[]::new)));
        } catch (DLedgerException e) {
            if (e.code() == ErrorCode.OFFSET_OUT_OF_RANGE && from != null && offset == from) {
                throw new IllegalArgumentException(e.getMessage() + "; --from applies to every queue read"
                        + (queue == null ? " (pick one with --queue)" : "") + ", or leave it out to start at the "
                        + "first offset kept", e);
            }
            throw e;
        }
    }

    private boolean parsedIdleExit() {
        return spec.commandLine().getParseResult().hasMatchedOption("--idle-exit");
    }

    /** How long a stop signal (SIGTERM, Ctrl-C) waits for a group member to commit and leave before the JVM halts. */
    private static final long CLOSE_ON_SIGNAL_SECONDS = 10;

    private int consumeAsGroup(Long at) throws InterruptedException {
        // the process id in the member id tells an operator which process to stop (group describe lists members)
        PushConsumerOptions options = PushConsumerOptions.builder(group, topic).memberId("cli-"
                + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8))
                .startFromTime(at == null ? null : java.time.Instant.ofEpochMilli(at))
                .tags(tags.toArray(String[]::new))
                .build(); // checks the group name
        try (DLedgerClient c = client.connect()) {
            c.admin().describeTopic(topic); // a missing topic is an error, not "0 messages"
            return consumeAsGroup(c, options);
        }
    }

    private int consumeAsGroup(DLedgerClient c, PushConsumerOptions options) throws InterruptedException {
        java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong lastAt = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        // a stop signal ends the loop below, then waits for the member to commit and leave, as a normal end does
        Thread onSignal = new Thread(() -> {
            done.countDown();
            try {
                closed.await(CLOSE_ON_SIGNAL_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        PushConsumer consumer = c.newPushConsumer(options, m -> {
            long n = seen.incrementAndGet();
            lastAt.set(System.nanoTime());
            if (count != 0 && n > count) {
                closing.await(); // not ours to acknowledge: hold it until we close, then leave it unprocessed
                throw new IllegalStateException("enough messages");
            }
            synchronized (System.out) {
                System.out.println(format(m));
            }
            if (count != 0 && n == count) {
                done.countDown();
            }
        });
        try {
            try (consumer) {
                Runtime.getRuntime().addShutdownHook(onSignal); // before start: a signal once it joined still closes it
                consumer.start();
                long startedAt = System.nanoTime();
                boolean everAssigned = false;
                while (!done.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    long now = System.nanoTime();
                    everAssigned |= !consumer.assignedQueues().isEmpty() || seen.get() > 0;
                    if (!everAssigned && now - startedAt < java.util.concurrent.TimeUnit.SECONDS.toNanos(30)) {
                        lastAt.set(now); // the idle time counts once the group has given this member queues
                    } else if (!everAssigned && idleExitSeconds > 0) {
                        closing.countDown();
                        System.err.println("error: the group gave this member no queue in 30 s (its other members hold "
                                + "all of the topic's queues?)");
                        return 1;
                    }
                    long idle = now - lastAt.get();
                    if (idleExitSeconds > 0 && idle > java.util.concurrent.TimeUnit.SECONDS.toNanos(idleExitSeconds)) {
                        break;
                    }
                }
                closing.countDown();
            }
            // counted once closed: a stopped member prints until then
            long shown = Math.min(seen.get(), count == 0 ? Long.MAX_VALUE : count);
            System.out.println(shown + (shown == 1 ? " message" : " messages") + " (group " + group
                    + "; pulled per node, prefetched ones included: " + consumer.servedBy() + "); offsets committed");
        } finally {
            closed.countDown(); // the consumer committed and left (or failed to)
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal); // not needed past here (the CLI runs in tests too)
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now
            }
        }
        return 0;
    }

    private String format(ReceivedMessage m) {
        String body = m.bodyAsString().replaceAll("\\p{Cntrl}", ".");
        if (body.length() > bodyChars) {
            body = body.substring(0, bodyChars) + "...";
        }
        return String.format("%s/%d@%d%s%s %s", m.topic(), m.queue(), m.offset(),
                m.key() == null || m.key().isEmpty() ? "" : " key=" + m.key(),
                m.tags() == null || m.tags().isEmpty() ? "" : " tags=" + m.tags(), body);
    }
}
