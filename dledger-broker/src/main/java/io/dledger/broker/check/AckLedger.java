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

    /** Reads every queue of {@code topic} from its first stored offset and compares with the ledger. */
    public LossReport verify(DLedgerClient client, String topic) {
        TopicDescription d = client.admin().describeTopic(topic);
        Map<String, Position> stored = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        long count = 0;
        try (PullConsumer consumer = client.newPullConsumer()) {
            for (int q = 0; q < d.queues(); q++) {
                long offset = d.queueRanges().get(q).minOffset();
                while (true) {
                    PullResult r = consumer.pull(topic, q, offset, 1000);
                    if (r.messages().isEmpty()) {
                        break;
                    }
                    for (ReceivedMessage m : r.messages()) {
                        count++;
                        String id = idOf.apply(m);
                        if (stored.put(id, new Position(m.queue(), m.offset())) != null) {
                            duplicates.add(id);
                        }
                    }
                    offset = r.nextOffset();
                }
            }
        }
        return compare(stored, duplicates, count);
    }

    LossReport compare(Map<String, Position> stored, List<String> duplicates, long storedCount) {
        List<String> lost = new ArrayList<>();
        List<String> misplaced = new ArrayList<>();
        acked.forEach((id, pos) -> {
            Position found = stored.get(id);
            if (found == null) {
                lost.add(id);
            } else if (!found.equals(pos)) {
                misplaced.add(id + " acknowledged at " + pos + " but stored at " + found);
            }
        });
        return new LossReport(acked.size(), storedCount, lost, duplicates, misplaced);
    }
}
