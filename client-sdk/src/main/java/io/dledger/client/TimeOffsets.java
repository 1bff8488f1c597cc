package io.dledger.client;

import java.util.Map;

/**
 * The answer of {@link PullConsumer#offsetsForTime}: per queue, the first offset whose message was stored at or after
 * the time asked. Immutable.
 *
 * @param topicIncarnation the incarnation of the topic searched ({@link TopicDescription#incarnation}; 0: unknown)
 * @param offsets          queue -> its offset, in the order asked (every queue in order when none was named): in the
 *                         queue's range [min, max], its end ({@code max}) when no message is that new
 */
public record TimeOffsets(long topicIncarnation, Map<Integer, Long> offsets) {
    /** Copies {@code offsets}, keeping their order. */
    public TimeOffsets {
        offsets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(offsets));
    }
}
