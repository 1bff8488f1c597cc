package io.dledger.broker.check;

import io.dledger.client.DLedgerClient;
import io.dledger.client.PullConsumer;
import io.dledger.client.PullResult;
import io.dledger.client.ReceivedMessage;
import io.dledger.client.TopicDescription;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Every message a writer got an acknowledgement for, by message id, and the check that matters most:
 * after whatever happened to the cluster, each acknowledged message is stored exactly once, at the
 * queue and offset it was acknowledged with. Used by {@code dledger demo}, the benchmarks' loss check
 * and the cluster tests. Thread-safe.
 */
public final class AckLedger {
    /** Where a message was acknowledged (or found). */
    public record Position(int queue, long offset) {
    }

    /** Empty answers in a row below a queue's end after which a read gives up (a follower taken for the leader). */
    private static final int MAX_EMPTY_IN_ROW = 20;

    private final Map<String, Position> acked = new ConcurrentHashMap<>();
    private final Function<ReceivedMessage, String> idOf;

    /** @param idOf extracts the message id from a stored message (e.g. its body as text) */
    public AckLedger(Function<ReceivedMessage, String> idOf) {
        this.idOf = idOf;
    }

    /** A ledger whose message ids are the message bodies. */
    public static AckLedger byBody() {
        return new AckLedger(ReceivedMessage::bodyAsString);
    }

    public void acked(String id, int queue, long offset) {
        acked.put(id, new Position(queue, offset));
    }

    public int size() {
        return acked.size();
    }

    /**
     * Reads every queue of {@code topic} from the leader, from its first stored offset to its end as the leader
     * described it first, and compares with the ledger.
     *
     * @throws IllegalStateException when the leader answers no messages below that end (the read would stop short)
     */
    public LossReport verify(DLedgerClient client, String topic) {
        TopicDescription d = client.admin().describeTopic(topic);
        Map<String, List<Position>> stored = new HashMap<>();
        long count = 0;
        try (PullConsumer consumer = client.newPullConsumer()) {
            for (int q = 0; q < d.queues(); q++) {
                long offset = d.queueRanges().get(q).minOffset();
                long end = d.queueRanges().get(q).maxOffset();
                int emptyInRow = 0;
                while (offset < end) {
                    PullResult r = consumer.pull(topic, q, offset, 1000);
                    if (r.messages().isEmpty()) {
                        if (++emptyInRow > MAX_EMPTY_IN_ROW) {
                            throw new IllegalStateException("queue " + q + " of " + topic + ": no messages at offset "
                                    + offset + ", below its end " + end + " (answered by " + r.servedBy() + ")");
                        }
                        offset = Math.max(offset, r.nextOffset());
                        continue;
                    }
                    emptyInRow = 0;
                    for (ReceivedMessage m : r.messages()) {
                        count++;
                        stored.computeIfAbsent(idOf.apply(m), k -> new ArrayList<>())
                                .add(new Position(m.queue(), m.offset()));
                    }
                    offset = r.nextOffset();
                }
            }
        }
        return compare(stored, count);
    }

    /**
     * Compares the ledger with what was read, {@code stored}: every position each message id was found at. An
     * acknowledged id found nowhere is lost; one found more than once is duplicated; one not found where it was
     * acknowledged (but elsewhere) is misplaced.
     */
    LossReport compare(Map<String, List<Position>> stored, long storedCount) {
        List<String> lost = new ArrayList<>();
        List<String> misplaced = new ArrayList<>();
        List<String> duplicates = new ArrayList<>();
        stored.forEach((id, at) -> {
            if (at.size() > 1) {
                duplicates.add(id);
            }
        });
        acked.forEach((id, pos) -> {
            List<Position> found = stored.get(id);
            if (found == null) {
                lost.add(id);
            } else if (!found.contains(pos)) {
                misplaced.add(id + " acknowledged at " + pos + " but stored at " + found);
            }
        });
        return new LossReport(acked.size(), storedCount, lost, duplicates, misplaced);
    }
}
