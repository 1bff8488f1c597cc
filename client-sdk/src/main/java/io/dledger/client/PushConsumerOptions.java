package io.dledger.client;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Settings of a {@link PushConsumer}. Immutable; build with {@link #builder(String, String)}.
 *
 * @param group              consumer group: members share the topic's queues and committed offsets
 * @param topic              topic to consume
 * @param threads            worker threads (queues are processed in parallel, each queue in order)
 * @param maxRetries         attempts after the first failure before a message is parked on the retry topic
 * @param retryBackoff       pause between attempts
 * @param startFromEarliest  where a queue without a committed offset starts: its first stored message
 *                           (true) or its end (false)
 * @param followSuggestions  pull from the node each response suggests (followers when the leader is busy
 *                           or the data is cold)
 * @param batchSize          messages per pull
 * @param commitInterval     how often processed offsets are committed (also on revocation and close)
 * @param memberId           this member's id in the group
 */
public record PushConsumerOptions(String group, String topic, int threads, int maxRetries, Duration retryBackoff,
        boolean startFromEarliest, boolean followSuggestions, int batchSize, Duration commitInterval,
        String memberId) {

    /** Group names: like topic names, but short enough that {@code <group>-retry} is a topic name too. */
    private static final java.util.regex.Pattern GROUP_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,100}");

    /** Checks the settings. */
    public PushConsumerOptions {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(memberId, "memberId");
        if (!GROUP_NAME.matcher(group).matches()) {
            throw new IllegalArgumentException("invalid group name '" + (group.length() > 120
                    ? group.substring(0, 120) + "...' (" + group.length() + " characters)" : group + "'")
                    + ": use 1 to 100 letters, digits, '.', '_' or '-' (the group's retry topic is <group>-retry)");
        }
        if (threads < 1 || maxRetries < 0 || batchSize < 1) {
            throw new IllegalArgumentException("threads and batchSize must be >= 1, maxRetries >= 0");
        }
    }

    /** The topic where messages that kept failing are parked: {@code <group>-retry}. */
    public String retryTopic() {
        return group + "-retry";
    }

    public static Builder builder(String group, String topic) {
        return new Builder(group, topic);
    }

    /** Builder with defaults: 4 threads, 3 retries 200 ms apart, earliest, follow suggestions. */
    public static final class Builder {
        private final String group;
        private final String topic;
        private int threads = 4;
        private int maxRetries = 3;
        private Duration retryBackoff = Duration.ofMillis(200);
        private boolean startFromEarliest = true;
        private boolean followSuggestions = true;
        private int batchSize = 256;
        private Duration commitInterval = Duration.ofSeconds(1);
        private String memberId = UUID.randomUUID().toString();

        private Builder(String group, String topic) {
            this.group = group;
            this.topic = topic;
        }

        public Builder threads(int n) {
            threads = n;
            return this;
        }

        public Builder maxRetries(int n) {
            maxRetries = n;
            return this;
        }

        public Builder retryBackoff(Duration d) {
            retryBackoff = d;
            return this;
        }

        public Builder startFromEarliest(boolean b) {
            startFromEarliest = b;
            return this;
        }

        public Builder followSuggestions(boolean b) {
            followSuggestions = b;
            return this;
        }

        public Builder batchSize(int n) {
            batchSize = n;
            return this;
        }

        public Builder commitInterval(Duration d) {
            commitInterval = d;
            return this;
        }

        public Builder memberId(String id) {
            memberId = id;
            return this;
        }

        public PushConsumerOptions build() {
            return new PushConsumerOptions(group, topic, threads, maxRetries, retryBackoff, startFromEarliest,
                    followSuggestions, batchSize, commitInterval, memberId);
        }
    }
}
