package io.dledger.broker.store;

/**
 * The answer of {@link MessageStore#offsetsForTime}: the incarnation of the topic searched, and per queue searched
 * (in the order asked) the first offset stored at or after the time asked. Its arrays are not to be modified.
 *
 * @param incarnation the topic's incarnation (0: unknown, a topic created before nodes recorded it)
 * @param queues      the queues searched
 * @param offsets     {@code offsets[i]} is queue {@code queues[i]}'s offset
 */
public record OffsetsAtTime(long incarnation, int[] queues, long[] offsets) {
}
