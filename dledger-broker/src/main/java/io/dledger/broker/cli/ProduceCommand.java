package io.dledger.broker.cli;

import io.dledger.client.DLedgerClient;
import io.dledger.client.Message;
import io.dledger.client.Producer;
import io.dledger.client.SendResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dledger produce}: sends messages given on the command line or generated ones. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Send messages to a topic. Each is acknowledged once a Raft majority stored it.")
final class ProduceCommand implements java.util.concurrent.Callable<Integer> {
    private static final int PRINT_EACH_UP_TO = 100;
    private static final int IN_FLIGHT = 120;
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            .toCharArray();

    @Mixin
    ClientOptions client;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-t", "--topic"}, required = true, description = "topic")
    String topic;

    @Option(names = {"-m", "--message"}, description = "message body (repeatable); without it, --count messages "
            + "of --size random letters are sent")
    List<String> messages = new ArrayList<>();

    @Option(names = {"-n", "--count"}, defaultValue = "10", description = "generated messages "
            + "(default: ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--size", defaultValue = "100", description = "bytes per generated message "
            + "(default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = {"-k", "--key"}, description = "message key (same key, same queue)")
    String key;

    @Option(names = "--tags", description = "message tags")
    String tags;

    @Option(names = {"-q", "--queue"}, description = "send to this queue")
    Integer queue;

    @Option(names = "--quiet", description = "print only the summary (more than " + PRINT_EACH_UP_TO + " messages "
            + "are sent pipelined and only summed up anyway)")
    boolean quiet;

    @Override
    public Integer call() {
        if (!messages.isEmpty() && (spec.commandLine().getParseResult().hasMatchedOption("--count")
                || spec.commandLine().getParseResult().hasMatchedOption("--size"))) {
            throw new IllegalArgumentException("--count and --size shape generated messages and do not apply with "
                    + "--message (-m): each -m is one message");
        }
        OptionLimits limits = new OptionLimits().atLeast("--queue", queue, 0);
        if (messages.isEmpty()) {
            limits.atLeast("--count", count, 1).atLeast("--size", size, 1);
        }
        if (limits.reportTo(System.err)) {
            return 2;
        }
        int total = messages.isEmpty() ? count : messages.size();
        IntFunction<byte[]> body = messages.isEmpty() ? i -> randomLetters(size)
                : i -> messages.get(i).getBytes(StandardCharsets.UTF_8);
        double secs;
        AtomicLong acked = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        // a bad address or a cluster that does not answer fails here, before any send
        DLedgerClient c = client.connect();
        InterruptNotice interrupted = new InterruptNotice(() -> finished.get() ? null // Ctrl-C: say how far it got
                : "interrupted: " + acked.get() + " of " + total + " messages acknowledged");
        try (c; Producer p = c.newProducer()) {
            long start = System.nanoTime(); // after connecting, before closing: the summary's rate is the sends'
            if (total <= PRINT_EACH_UP_TO) {
                for (int i = 0; i < total; i++) {
                    SendResult r = p.send(topic, message(body.apply(i)));
                    acked.incrementAndGet();
                    if (!quiet) {
                        System.out.println("sent " + topic + "/" + r.queue() + "@" + r.offset() + " (raft index "
                                + r.raftIndex() + ")");
                    }
                }
            } else {
                sendPipelined(p, total, body, acked);
            }
            secs = (System.nanoTime() - start) / 1e9;
        } catch (RuntimeException e) {
            System.err.println(acked.get() + " of " + total + " messages acknowledged before the error below");
            throw e;
        } finally {
            finished.set(true);
            interrupted.close();
        }
        System.out.printf("%d message%s acknowledged in %.2f s%n", total, total == 1 ? "" : "s", secs);
        return 0;
    }

    /** Keeps up to {@value #IN_FLIGHT} sends outstanding; fails on the first error. */
    private void sendPipelined(Producer p, int total, IntFunction<byte[]> body, AtomicLong done) {
        Semaphore window = new Semaphore(IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < total && failure.get() == null; i++) {
            window.acquireUninterruptibly();
            p.sendAsync(topic, message(body.apply(i))).whenComplete((r, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else {
                    done.incrementAndGet();
                }
                window.release();
            });
        }
        window.acquireUninterruptibly(IN_FLIGHT);
        if (failure.get() != null) {
            throw failure.get() instanceof RuntimeException re ? re : new IllegalStateException(failure.get());
        }
    }

    private Message message(byte[] body) {
        Message m = Message.of(body);
        if (key != null) {
            m = m.withKey(key);
        }
        if (tags != null) {
            m = m.withTags(tags);
        }
        if (queue != null) {
            m = m.withQueue(queue);
        }
        return m;
    }

    private static byte[] randomLetters(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ALPHABET[r.nextInt(ALPHABET.length)];
        }
        return b;
    }
}
