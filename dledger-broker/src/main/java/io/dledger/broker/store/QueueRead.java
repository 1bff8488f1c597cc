package io.dledger.broker.store;

import java.util.List;

/**
 * What one read of a queue returned: its records in offset order, the incarnation of the topic they are of (0 when
 * unknown, see {@link TopicView}), and the queue's [minOffset, maxOffset) when the read began; all from one look-up
 * of the topic. The list is the reader's own, not copied: do not modify it.
 */
public record QueueRead(List<MessageRecord> records, long incarnation, long minOffset, long maxOffset) {
}
