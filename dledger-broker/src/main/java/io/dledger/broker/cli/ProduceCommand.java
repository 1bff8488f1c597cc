package io.dledger.broker.cli;

import io.dledger.client.DLedgerClient;
import io.dledger.client.Message;
import io.dledger.client.Producer;
import io.dledger.client.SendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dledger produce}: sends messages given on the command line or generated ones. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Send messages to a topic. Each is acknowledged once a Raft majority stored it.")
final class ProduceCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = {"-t", "--topic"}, required = true, description = "topic")
    String topic;

    @Option(names = {"-m", "--message"}, description = "message body (repeatable); without it, --count messages "
            + "of --size random bytes are sent")
    List<String> messages = new ArrayList<>();

    @Option(names = {"-n", "--count"}, defaultValue = "10", description = "generated messages (default: ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--size", defaultValue = "100", description = "bytes per generated message (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = {"-k", "--key"}, description = "message key (same key, same queue)")
    String key;

    @Option(names = "--tags", description = "message tags")
    String tags;

    @Option(names = {"-q", "--queue"}, description = "send to this queue")
    Integer queue;

    @Option(names = "--quiet", description = "print only the summary")
    boolean quiet;

    @Override
    public Integer call() {
        List<byte[]> bodies = new ArrayList<>();
        if (!messages.isEmpty()) {
            messages.forEach(m -> bodies.add(m.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } else {
            for (int i = 0; i < count; i++) {
                byte[] b = new byte[size];
                ThreadLocalRandom.current().nextBytes(b);
                bodies.add(b);
            }
        }
        long start = System.nanoTime();
        try (DLedgerClient c = client.connect(); Producer p = c.newProducer()) {
            for (byte[] body : bodies) {
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
                SendResult r = p.send(topic, m);
                if (!quiet && bodies.size() <= 100) {
                    System.out.println("sent " + topic + "/" + r.queue() + "@" + r.offset() + " (raft index "
                            + r.raftIndex() + ")");
                }
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("%d messages acknowledged in %.2f s%n", bodies.size(), secs);
        return 0;
    }
}
