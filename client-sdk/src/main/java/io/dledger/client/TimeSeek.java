package io.dledger.client;

import io.grpc.Status;
import java.util.Optional;

/**
 * {@link PullConsumer#offsetForTime}: a binary search over the queue's store times, one pull of one message from the
 * leader per step (about log2 of the queue's length of them, each carrying one message body). Each answer also names
 * the queue's range; an offset that retention removed during the search moves the search's start up, so the answer
 * is always within the queue as the last pull saw it. An answer from a node that lacks what was asked and points to the
 * leader ({@link PullResult#followerBehind()}: the client's leader had moved) tells nothing of the queue; the pull is
 * made again, now to the leader it named.
 *
 * <p>Store times come from the clock of the leader that took each write. After a leader change between nodes whose
 * clocks are apart they may step back once, and the search then finds an offset where the times cross the asked time,
 * not necessarily the first one.
 *
 * <p>Stateless; each call is independent.
 */
final class TimeSeek {
    /** Answers in a row from nodes that lack the queue (they point to the leader) the search pulls again after. */
    static final int MAX_BEHIND_IN_ROW = 3;

    private final PullConsumer consumer;

    TimeSeek(PullConsumer consumer) {
        this.consumer = consumer;
    }

    /** The first offset of {@code topic}/{@code queue} stored at or after {@code timestampMs}; the end when none. */
    long offsetForTime(String topic, int queue, long timestampMs) {
        long lo = 0; // the answer lies in [lo, hi]
        long hi = Long.MAX_VALUE;
        boolean rangeKnown = false;
        int behindInRow = 0;
        while (!rangeKnown || lo < hi) {
            long at = rangeKnown ? lo + (hi - lo) / 2 : lo;
            PullResult r;
            try {
                r = consumer.pull(new PullRequestOptions(topic, queue, at, 1, 1, null));
            } catch (DLedgerException e) {
                Optional<DLedgerException.StoredOffsets> range = e.storedOffsets();
                if (e.code() != ErrorCode.OFFSET_OUT_OF_RANGE || range.isEmpty()) {
                    throw e;
                }
                // retention moved the queue's start past the offset asked: the answer is not below it
                long newLo = Math.max(lo, range.get().minOffset());
                long newHi = Math.max(newLo, Math.min(hi, range.get().maxOffset()));
                if (rangeKnown && newLo == lo && newHi == hi) {
                    throw e; // refused inside the range it names: nothing to narrow
                }
                lo = newLo;
                hi = newHi;
                rangeKnown = true;
                continue;
            }
            if (r.followerBehind()) {
                // a deposed leader, twice: its range is not the queue's; the client now knows the leader it named
                if (++behindInRow > MAX_BEHIND_IN_ROW) {
                    throw new DLedgerException(ErrorCode.NODE_UNAVAILABLE, Status.Code.UNAVAILABLE, "the search for "
                            + topic + "/" + queue + "'s offset at " + timestampMs + " reached no leader ("
                            + behindInRow + " answers in a row from nodes that point to another); retry");
                }
                continue;
            }
            behindInRow = 0;
            if (!rangeKnown) {
                lo = Math.max(lo, r.minOffset());
                hi = Math.max(lo, r.maxOffset());
                rangeKnown = true;
            }
            if (r.messages().isEmpty()) {
                hi = Math.max(lo, Math.min(hi, at)); // at the queue's end
            } else if (r.messages().get(0).storeTimestamp() >= timestampMs) {
                hi = at;
            } else {
                lo = at + 1;
            }
        }
        return lo;
    }
}
