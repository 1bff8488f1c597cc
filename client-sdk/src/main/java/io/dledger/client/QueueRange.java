package io.dledger.client;

/**
 * The offsets a queue currently holds. Immutable, thread-safe.
 *
 * @param queue     queue number
 * @param minOffset smallest offset still stored
 * @param maxOffset offset one past the newest message
 */
public record QueueRange(int queue, long minOffset, long maxOffset) {
}
