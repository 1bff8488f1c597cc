package io.dledger.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Settings of a {@link PushConsumer}. Immutable; build with {@link #builder(String, String)}.
 *
 * @param group              consumer group: members share the topic's queues and committed offsets
 * @param topic              topic to consume
 * @param threads            worker threads (queues are processed in parallel, each queue in order)
 * @param maxRetries         attempts after the first failure before a message is parked on the retry topic
 * @param retryBackoff       pause between attempts (zero or more)
 * @param startFromEarliest  where a queue without a committed offset starts: its first stored message
 *                           (true) or its end (false), unless {@code startFromTime} is set
 * @param startFromTime      {@code null}, or where a queue without a committed offset starts: its first message
 *                           stored at or after this time (its end when none is)
 * @param followSuggestions  pull from the node each response suggests (followers when the leader is busy
 *                           or the data is cold)
 * @param batchSize          messages per pull
 * @param commitInterval     how often processed offsets are committed (also on revocation and close); at least
 *                           {@link #MIN_COMMIT_INTERVAL}
 * @param memberId           this member's id in the group (1 to 255 characters, unique in the group)
 * @param tags               only messages whose tags equal one of these are delivered (empty: every message); the
 *                           others are passed over and count as consumed
 */
public record PushConsumerOptions(String group, String topic, int threads, int maxRetries, Duration retryBackoff,
        boolean startFromEarliest, Instant startFromTime, boolean followSuggestions, int batchSize,
        Duration commitInterval, String memberId, Set<String> tags) {

    /** Group names: like topic names, but short enough that {@code <group>-retry} is a topic name too. */
    private static final java.util.regex.Pattern GROUP_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,100}");

    /** The shortest commit interval (each commit is a Raft write). */
    public static final Duration MIN_COMMIT_INTERVAL = Duration.ofMillis(50);

    /**
     * Checks the settings.
     *
     * @param group             consumer group: 1 to 100 letters, digits, '.', '_' or '-'
     * @param topic             topic to consume
     * @param threads           worker threads, at least 1
     * @param maxRetries        attempts after the first failure before a message is parked, 0 or more
     * @param retryBackoff      pause between attempts, not negative
     * @param startFromEarliest whether a queue without a committed offset starts at its first stored message
     *                          ({@code true}) or at its end ({@code false}), unless {@code startFromTime} is set
     * @param startFromTime     {@code null}, or a time not before the epoch: a queue without a committed offset
     *                          starts at its first message stored at or after it
     * @param followSuggestions whether to pull from the node each response suggests
     * @param batchSize         messages per pull, at least 1
     * @param commitInterval    how often processed offsets are committed, at least {@link #MIN_COMMIT_INTERVAL}
     * @param memberId          this member's id in the group, 1 to 255 characters
     * @param tags              only messages with one of these tags, at most {@link PullRequestOptions#MAX_TAGS}, each
     *                          of 1 to {@link PullRequestOptions#MAX_TAG_BYTES} bytes (empty: every message); copied
     * @throws IllegalArgumentException when a setting is out of range or the group name is invalid
     * @throws NullPointerException     when {@code group}, {@code topic}, {@code retryBackoff},
     *                                  {@code commitInterval}, {@code memberId} or {@code tags} is {@code null}
     */
    public PushConsumerOptions {
        tags = PullRequestOptions.checkedTags(tags);
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        Objects.requireNonNull(commitInterval, "commitInterval");
        if (!GROUP_NAME.matcher(group).matches()) {
            throw new IllegalArgumentException("invalid group name '" + (group.length() > 120
                    ? group.substring(0, 120) + "...' (" + group.length() + " characters)" : group + "'")
                    + ": use 1 to 100 letters, digits, '.', '_' or '-' (the group's retry topic is <group>-retry)");
        }
        if (threads < 1 || maxRetries < 0 || batchSize < 1) {
            throw new IllegalArgumentException("threads and batchSize must be >= 1, maxRetries >= 0");
        }
        if (retryBackoff.isNegative()) {
            throw new IllegalArgumentException("retryBackoff must not be negative: " + retryBackoff);
        }
        if (commitInterval.compareTo(MIN_COMMIT_INTERVAL) < 0) {
            throw new IllegalArgumentException("commitInterval must be at least " + MIN_COMMIT_INTERVAL.toMillis()
                    + " ms: " + commitInterval);
        }
        if (startFromTime != null && (startFromTime.isBefore(Instant.EPOCH)
                || startFromTime.isAfter(Instant.ofEpochMilli(Long.MAX_VALUE)))) {
            throw new IllegalArgumentException("startFromTime must be within milliseconds since the epoch: "
                    + startFromTime);
        }
        if (memberId.isEmpty() || memberId.length() > 255) {
            throw new IllegalArgumentException("memberId must have 1 to 255 characters");
        }
    }

    /**
     * Settings without a start time or tags (the form before they existed).
     *
     * @param group             consumer group
     * @param topic             topic to consume
     * @param threads           worker threads, at least 1
     * @param maxRetries        attempts after the first failure before a message is parked, 0 or more
     * @param retryBackoff      pause between attempts, not negative
     * @param startFromEarliest whether a queue without a committed offset starts at its first stored message
     * @param followSuggestions whether to pull from the node each response suggests
     * @param batchSize         messages per pull, at least 1
     * @param commitInterval    how often processed offsets are committed
     * @param memberId          this member's id in the group
     */
    public PushConsumerOptions(String group, String topic, int threads, int maxRetries, Duration retryBackoff,
                               boolean startFromEarliest, boolean followSuggestions, int batchSize,
                               Duration commitInterval, String memberId) {
        this(group, topic, threads, maxRetries, retryBackoff, startFromEarliest, null, followSuggestions, batchSize,
                commitInterval, memberId, Set.of());
    }

    /**
     * The topic where messages that kept failing are parked: {@code <group>-retry}.
     *
     * @return {@code group + "-retry"}; the consumer creates it with one queue when it first parks a message, unless it
     *         exists already (with any number of queues)
     */
    public String retryTopic() {
        return group + "-retry";
    }

    /**
     * A builder with the defaults of {@link Builder}.
     *
     * @param group consumer group: 1 to 100 letters, digits, '.', '_' or '-'
     * @param topic topic to consume
     * @return the builder
     */
    public static Builder builder(String group, String topic) {
        return new Builder(group, topic);
    }

    /**
     * Builder with defaults: 4 threads, 3 retries 200 ms apart, start from the earliest offset, follow suggestions,
     * 256 messages per pull, commits every second, a random member id. Each setter returns the builder; the settings
     * are checked by {@link #build()}. Not thread-safe.
     */
    public static final class Builder {
        private final String group;
        private final String topic;
        private int threads = 4;
        private int maxRetries = 3;
        private Duration retryBackoff = Duration.ofMillis(200);
        private boolean startFromEarliest = true;
        private Instant startFromTime;
        private boolean followSuggestions = true;
        private int batchSize = 256;
        private Duration commitInterval = Duration.ofSeconds(1);
        private String memberId = UUID.randomUUID().toString();
        private Set<String> tags = Set.of();

        private Builder(String group, String topic) {
            this.group = group;
            this.topic = topic;
        }

        /**
         * Worker threads: queues are processed in parallel, each queue in order (at least 1).
         *
         * @param n number of threads (default 4)
         * @return this builder
         */
        public Builder threads(int n) {
            threads = n;
            return this;
        }

        /**
         * Attempts after the first failure before a message is parked on {@code <group>-retry} (0 or more).
         *
         * @param n retries (default 3; 0 parks a message after its first failure)
         * @return this builder
         */
        public Builder maxRetries(int n) {
            maxRetries = n;
            return this;
        }

        /**
         * Pause between attempts at a failing message.
         *
         * @param d zero or more (default 200 ms), in whole milliseconds; the message's queue and one worker
         *          thread wait meanwhile
         * @return this builder
         */
        public Builder retryBackoff(Duration d) {
            retryBackoff = d;
            return this;
        }

        /**
         * Where a queue without a committed offset starts: its first stored message (true) or its end (false).
         *
         * @param b {@code true} (default) to read what the queue already stores, {@code false} to skip it and read
         *          only newer messages
         * @return this builder
         */
        public Builder startFromEarliest(boolean b) {
            startFromEarliest = b;
            return this;
        }

        /**
         * Where a queue without a committed offset starts, by time: its first message stored at or after {@code t}
         * (its end when none is), as {@link PullConsumer#offsetsForTime} finds it; overrides
         * {@link #startFromEarliest}. A queue the group committed an offset for goes on from there, as always.
         *
         * @param t a time not before the epoch, or {@code null} (default) to start by {@link #startFromEarliest}
         * @return this builder
         */
        public Builder startFromTime(Instant t) {
            startFromTime = t;
            return this;
        }

        /**
         * Whether to pull from the node each response suggests (false: always the leader).
         *
         * @param b {@code true} (default) to let the broker move reads to followers
         * @return this builder
         */
        public Builder followSuggestions(boolean b) {
            followSuggestions = b;
            return this;
        }

        /**
         * Messages per pull (at least 1).
         *
         * @param n most messages one pull asks for (default 256); a node returns at most its
         *          {@code pull.max.messages}
         * @return this builder
         */
        public Builder batchSize(int n) {
            batchSize = n;
            return this;
        }

        /**
         * How often processed offsets are committed (at least {@link #MIN_COMMIT_INTERVAL}).
         *
         * @param d interval (default 1 s); after a crash, messages processed in up to this last interval are
         *          delivered again
         * @return this builder
         */
        public Builder commitInterval(Duration d) {
            commitInterval = d;
            return this;
        }

        /**
         * This member's id, unique in the group (1 to 255 characters; default: a random UUID).
         *
         * @param id member id, not {@code null}
         * @return this builder
         */
        public Builder memberId(String id) {
            memberId = id;
            return this;
        }

        /**
         * Only messages whose tags equal one of {@code only} are delivered (RocketMQ's {@code "TagA || TagB"}); the
         * nodes pass the others over and they count as consumed (committed past). Give every member of a group the
         * same tags: a queue moving to a member with other tags would skip or deliver other messages.
         *
         * @param only the tags, at most {@link PullRequestOptions#MAX_TAGS}, each of 1 to
         *             {@link PullRequestOptions#MAX_TAG_BYTES} bytes; none (default): every message
         * @return this builder
         */
        public Builder tags(String... only) {
            tags = Set.copyOf(java.util.Arrays.asList(only)); // checked (and copied again) when built
            return this;
        }

        /**
         * The options.
         *
         * @return the checked, immutable options
         * @throws IllegalArgumentException when a setting is out of range
         * @throws NullPointerException     when a setting is null
         */
        public PushConsumerOptions build() {
            return new PushConsumerOptions(group, topic, threads, maxRetries, retryBackoff, startFromEarliest,
                    startFromTime, followSuggestions, batchSize, commitInterval, memberId, tags);
        }
    }
}
