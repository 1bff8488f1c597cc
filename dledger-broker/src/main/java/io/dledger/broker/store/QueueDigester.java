package io.dledger.broker.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SHA-256 digest of a queue's content, to check that replicas hold identical queues. Covers, for every
 * message in offset order: offset, store timestamp, Raft index, key, tags, properties (sorted) and body.
 * Reads through the store like a consumer; safe on any thread.
 */
public final class QueueDigester {
    private QueueDigester() {
    }

    /**
     * Digest of {@code topic}/{@code queue} over [minOffset, maxOffset) as of the call, of the topic's incarnation
     * {@code incarnation} ({@code 0}: any): a topic replaced while the digest reads it is refused
     * ({@code TOPIC_REPLACED}), not mixed in.
     */
    public static String digest(MessageStore store, String topic, long incarnation, int queue, long minOffset,
                                long maxOffset) throws ReadRejectedException {
        MessageDigest sha = sha256();
        long offset = minOffset;
        while (offset < maxOffset) {
            List<MessageRecord> batch = store.read(topic, incarnation, queue, offset,
                    (int) Math.min(512, maxOffset - offset), 8L << 20).records();
            if (batch.isEmpty()) {
                throw new StoreException("queue " + topic + "/" + queue + " ended at " + offset + " before "
                        + maxOffset);
            }
            for (MessageRecord m : batch) {
                update(sha, m);
            }
            offset += batch.size();
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void update(MessageDigest sha, MessageRecord m) {
        ByteBuffer head = ByteBuffer.allocate(24);
        head.putLong(m.offset()).putLong(m.storeTimestamp()).putLong(m.raftIndex()).flip();
        sha.update(head);
        field(sha, m.key());
        field(sha, m.tags());
        for (Map.Entry<String, String> e : new TreeMap<>(m.properties()).entrySet()) {
            field(sha, e.getKey());
            field(sha, e.getValue());
        }
        ByteBuffer len = ByteBuffer.allocate(4).putInt(m.bodySize()).flip();
        sha.update(len);
        sha.update(m.body().duplicate());
    }

    private static void field(MessageDigest sha, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(4).putInt(b.length).array());
        sha.update(b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
