package io.dledger.broker.store;

import java.util.List;

/**
 * The store's derived state at one log position: everything needed to continue from there without
 * reading the log before it (topics, queue bounds, idempotent producers). Written durably after the
 * log and the indexes are flushed up to {@code logPosition}; recovery replays records after it.
 * Also the state file of a Raft snapshot. See {@link CheckpointCodec} for the byte format.
 *
 * @param raftIndex        last Raft index applied when the checkpoint was taken
 * @param logPosition      log end position at that moment
 * @param nextExpiryCheck  store time at which idle producers are next expired
 * @param lastTimestamp    store timestamp of the newest applied entry
 */
public record Checkpoint(long raftIndex, long logPosition, long nextExpiryCheck, long lastTimestamp,
                         List<Topic> topics, List<Producer> producers, List<GroupOffsets> groupOffsets,
                         List<RecordCodec.Peer> peers) {

    /**
     * A topic, its incarnation (the Raft index of the entry that created it; 0 when a checkpoint of version 1 did
     * not record it) and the [minOffset, nextOffset) range of each of its queues.
     */
    public record Topic(String name, long incarnation, long[] minOffsets, long[] nextOffsets) {
        public int queues() {
            return minOffsets.length;
        }
    }

    /** An idempotent producer's window, sequences oldest first. */
    public record Producer(long producerId, long lastTimestamp, long evictedMax, long[] seqs, long[] positions) {
    }

    /** A consumer group's committed offsets in one topic. */
    public record GroupOffsets(String group, String topic, int[] queues, long[] offsets) {
    }

    public static Checkpoint empty(long logPosition) {
        return new Checkpoint(0, logPosition, 0, 0, List.of(), List.of(), List.of(), List.of());
    }
}
