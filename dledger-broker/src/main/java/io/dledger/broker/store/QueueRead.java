package io.dledger.broker.store;

import java.util.List;

/**
 * What one read of a queue returned: its records in offset order, and the incarnation of the topic they are of (the
 * topic read, looked up once with the records; 0 when unknown, see {@link TopicView}). The list is the reader's own,
 * not copied: do not modify it.
 */
public record QueueRead(List<MessageRecord> records, long incarnation) {
}
