package io.dledger.broker.cli;

import io.dledger.client.DLedgerClient;
import io.dledger.client.QueueRange;
import io.dledger.client.TopicCreated;
import io.dledger.client.TopicDescription;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dledger topic create|list|describe|delete|compare}. */
@Command(name = "topic", mixinStandardHelpOptions = true,
        description = "Create, list, describe and delete topics; compare a topic's replicas.",
        subcommands = {TopicCommand.Create.class, TopicCommand.ListTopics.class, TopicCommand.Describe.class,
                TopicCommand.Delete.class, TopicCompareCommand.class})
final class TopicCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic (idempotent).")
    static final class Create implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "TOPIC")
        String topic;

        @Option(names = "--queues", defaultValue = "4", description = "number of queues (default: ${DEFAULT-VALUE})")
        int queues;

        @Override
        public Integer call() {
            try (DLedgerClient c = client.connect()) {
                TopicCreated r = c.admin().createTopic(topic, queues);
                System.out.println((r.created() ? "created " : "exists: ") + r.topic() + " with " + r.queues()
                        + (r.queues() == 1 ? " queue" : " queues"));
                return 0;
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a topic, its messages and its consumer groups' offsets.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "TOPIC")
        String topic;

        @Override
        public Integer call() {
            try (DLedgerClient c = client.connect()) {
                c.admin().deleteTopic(topic);
                System.out.println("deleted " + topic);
                return 0;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List topics with their queue ranges.")
    static final class ListTopics implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            try (DLedgerClient c = client.connect()) {
                List<TopicDescription> topics = c.admin().listTopics();
                if (topics.isEmpty()) {
                    System.out.println("no topics");
                }
                topics.forEach(Describe::print);
                return 0;
            }
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description = "Show a topic's queues and offsets.")
    static final class Describe implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "TOPIC")
        String topic;

        @Override
        public Integer call() {
            try (DLedgerClient c = client.connect()) {
                print(c.admin().describeTopic(topic));
                return 0;
            }
        }

        static void print(TopicDescription d) {
            long total = d.queueRanges().stream().mapToLong(r -> r.maxOffset() - r.minOffset()).sum();
            System.out.println(d.topic() + ": " + d.queues() + (d.queues() == 1 ? " queue, " : " queues, ") + total
                    + (total == 1 ? " message" : " messages")
                    + (d.incarnation() == 0 ? "" : ", incarnation " + d.incarnation()));
            for (QueueRange r : d.queueRanges()) {
                System.out.printf("  queue %-3d offsets [%d, %d)%n", r.queue(), r.minOffset(), r.maxOffset());
            }
        }
    }
}
