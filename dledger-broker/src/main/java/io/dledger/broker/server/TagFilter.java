package io.dledger.broker.server;

import io.dledger.broker.store.MessageRecord;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.QueueRead;
import io.dledger.broker.store.ReadRejectedException;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.PullRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A pull's tag filter ({@code PullRequest.tags}, RocketMQ's {@code "TagA || TagB"}): only messages whose tags equal
 * one of the filter's are answered, the others passed over. A read that matches nothing goes on reading, up to
 * {@link #MAX_READS} reads of the pull's size, so that a rare tag does not cost a round trip per few messages; the
 * answer's next offset is past everything read. Without tags a pull is one read, as before.
 *
 * <p>Immutable and thread-safe.
 */
final class TagFilter {
    /** Most tags one pull names. */
    static final int MAX_TAGS = 32;
    /** Most reads of a pull's size one pull makes looking for a match. */
    static final int MAX_READS = 8;

    private final Set<String> tags;

    private TagFilter(Set<String> tags) {
        this.tags = tags;
    }

    /** The filter of {@code req}; INVALID_ARGUMENT for too many tags, or an empty or too long one. */
    static TagFilter of(PullRequest req) {
        if (req.getTagsCount() > MAX_TAGS) {
            throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "a pull names at most " + MAX_TAGS + " tags, not "
                    + req.getTagsCount());
        }
        for (String t : req.getTagsList()) {
            if (t.isEmpty() || t.getBytes(StandardCharsets.UTF_8).length > RequestValidator.MAX_TAGS_BYTES) {
                throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "a tag to pull has 1 to "
                        + RequestValidator.MAX_TAGS_BYTES + " bytes");
            }
        }
        return new TagFilter(Set.copyOf(req.getTagsList()));
    }

    /**
     * What a filtered read found.
     *
     * @param records    the matching messages, in offset order
     * @param nextOffset the offset after the last message read, matching or not
     * @param last       the last read (the queue's range and the topic's incarnation as it saw them)
     */
    record Found(List<MessageRecord> records, long nextOffset, QueueRead last) {
    }

    /**
     * Reads {@code req}'s queue from {@code req}'s offset, {@code maxMessages} (and about {@code maxBytes}) at a time,
     * until a read holds a match, reaches the queue's end, or {@link #MAX_READS} reads were made.
     *
     * @throws ReadRejectedException as {@link MessageStore#read} refuses any of the reads
     */
    Found read(MessageStore store, PullRequest req, int maxMessages, int maxBytes) throws ReadRejectedException {
        long at = req.getOffset();
        QueueRead read = store.read(req.getTopic(), req.getTopicIncarnation(), req.getQueue(), at, maxMessages,
                maxBytes);
        if (tags.isEmpty()) {
            return new Found(read.records(), at + read.records().size(), read);
        }
        List<MessageRecord> matched = new ArrayList<>();
        for (int reads = 1; ; reads++) {
            for (MessageRecord m : read.records()) {
                if (tags.contains(m.tags())) {
                    matched.add(m);
                }
            }
            at += read.records().size();
            if (!matched.isEmpty() || read.records().isEmpty() || at >= read.maxOffset() || reads >= MAX_READS) {
                return new Found(matched, at, read);
            }
            // the pull's incarnation, else the one the first read saw: a topic replaced meanwhile is refused, not read
            // on in the new one
            long incarnation = req.getTopicIncarnation() != 0 ? req.getTopicIncarnation() : read.incarnation();
            read = store.read(req.getTopic(), incarnation, req.getQueue(), at, maxMessages, maxBytes);
        }
    }
}
