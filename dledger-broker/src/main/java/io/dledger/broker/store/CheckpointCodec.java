package io.dledger.broker.store;

import io.dledger.broker.disk.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Byte format of a {@link Checkpoint} file, and its atomic write (temp file, fsync, rename, fsync of
 * the directory). Big-endian:
 * <pre>
 * magic:i32 = {@link #MAGIC} ("DLCP")  version:i32 = {@link #VERSION}  bodyLength:i32  bodyCrc32c:i32
 * body:
 *   raftIndex:i64  logPosition:i64  nextExpiryCheck:i64  lastTimestamp:i64
 *   topicCount:i32  ( name:str  incarnation:i64  queues:i32  (minOffset:i64 nextOffset:i64){queues} ){topicCount}
 *   producerCount:i32  ( producerId:i64 lastTimestamp:i64 evictedMax:i64 n:i32 (seq:i64 position:i64){n} )*
 *   groupCount:i32  ( group:str topic:str n:i32 (queue:i32 offset:i64){n} )*
 *   peerCount:i32  ( id:str host:str raftPort:i32 grpcPort:i32 removed:u8 )*
 * </pre>
 * Strings are UTF-8 with an unsigned 16-bit length. Version 1 had no {@code incarnation}; it is still read
 * ({@link #VERSION_WITHOUT_INCARNATION}), its topics with incarnation 0 (unknown). Stateless and thread-safe.
 */
public final class CheckpointCodec {
    public static final int MAGIC = 0x444C4350;
    public static final int VERSION = 2;
    /** The version before topics had an incarnation. */
    public static final int VERSION_WITHOUT_INCARNATION = 1;
    public static final int PREAMBLE_SIZE = 16;

    private CheckpointCodec() {
    }

    public static byte[] encode(Checkpoint c) {
        int size = 32 + 4 + 4;
        for (Checkpoint.Topic t : c.topics()) {
            size += 2 + RecordCodec.utf8(t.name()).length + 8 + 4 + 16 * t.queues();
        }
        for (Checkpoint.Producer p : c.producers()) {
            size += 28 + 16 * p.seqs().length;
        }
        size += 4;
        for (Checkpoint.GroupOffsets g : c.groupOffsets()) {
            size += 2 + RecordCodec.utf8(g.group()).length + 2 + RecordCodec.utf8(g.topic()).length + 4
                    + 12 * g.queues().length;
        }
        size += 4;
        for (RecordCodec.Peer p : c.peers()) {
            size += PeerRecordCodec.peerSize(p) - RecordCodec.HEADER_SIZE;
        }
        ByteBuffer body = ByteBuffer.allocate(size);
        body.putLong(c.raftIndex()).putLong(c.logPosition()).putLong(c.nextExpiryCheck()).putLong(c.lastTimestamp());
        body.putInt(c.topics().size());
        for (Checkpoint.Topic t : c.topics()) {
            byte[] name = RecordCodec.utf8(t.name());
            body.putShort((short) name.length).put(name).putLong(t.incarnation()).putInt(t.queues());
            for (int q = 0; q < t.queues(); q++) {
                body.putLong(t.minOffsets()[q]).putLong(t.nextOffsets()[q]);
            }
        }
        body.putInt(c.producers().size());
        for (Checkpoint.Producer p : c.producers()) {
            body.putLong(p.producerId()).putLong(p.lastTimestamp()).putLong(p.evictedMax()).putInt(p.seqs().length);
            for (int i = 0; i < p.seqs().length; i++) {
                body.putLong(p.seqs()[i]).putLong(p.positions()[i]);
            }
        }
        body.putInt(c.groupOffsets().size());
        for (Checkpoint.GroupOffsets g : c.groupOffsets()) {
            byte[] group = RecordCodec.utf8(g.group());
            byte[] topic = RecordCodec.utf8(g.topic());
            body.putShort((short) group.length).put(group).putShort((short) topic.length).put(topic)
                    .putInt(g.queues().length);
            for (int i = 0; i < g.queues().length; i++) {
                body.putInt(g.queues()[i]).putLong(g.offsets()[i]);
            }
        }
        body.putInt(c.peers().size());
        for (RecordCodec.Peer p : c.peers()) {
            byte[] id = RecordCodec.utf8(p.id());
            byte[] host = RecordCodec.utf8(p.host());
            body.putShort((short) id.length).put(id).putShort((short) host.length).put(host).putInt(p.raftPort())
                    .putInt(p.grpcPort()).put((byte) (p.removed() ? 1 : 0));
        }
        body.flip();
        ByteBuffer out = ByteBuffer.allocate(PREAMBLE_SIZE + size);
        out.putInt(MAGIC).putInt(VERSION).putInt(size).putInt(crc(body.duplicate()));
        out.put(body);
        return out.array();
    }

    public static Checkpoint decode(byte[] bytes, String source) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length < PREAMBLE_SIZE || in.getInt() != MAGIC) {
            throw new CorruptStoreException(source + " is not a checkpoint file");
        }
        int version = in.getInt();
        if (version != VERSION && version != VERSION_WITHOUT_INCARNATION) {
            throw new CorruptStoreException(source + " has unsupported checkpoint version " + version);
        }
        int size = in.getInt();
        int expectedCrc = in.getInt();
        if (size != in.remaining()) {
            throw new CorruptStoreException(source + " is truncated: body " + in.remaining() + " of " + size);
        }
        ByteBuffer body = in.slice();
        if (crc(body.duplicate()) != expectedCrc) {
            throw new CorruptStoreException(source + " fails its CRC check");
        }
        long raftIndex = body.getLong();
        long logPosition = body.getLong();
        long nextExpiryCheck = body.getLong();
        long lastTimestamp = body.getLong();
        int topicCount = body.getInt();
        List<Checkpoint.Topic> topics = new ArrayList<>(topicCount);
        for (int i = 0; i < topicCount; i++) {
            byte[] name = new byte[Short.toUnsignedInt(body.getShort())];
            body.get(name);
            long incarnation = version == VERSION_WITHOUT_INCARNATION ? 0 : body.getLong();
            int queues = body.getInt();
            long[] min = new long[queues];
            long[] next = new long[queues];
            for (int q = 0; q < queues; q++) {
                min[q] = body.getLong();
                next[q] = body.getLong();
            }
            topics.add(new Checkpoint.Topic(new String(name, java.nio.charset.StandardCharsets.UTF_8), incarnation, min,
                    next));
        }
        int producerCount = body.getInt();
        List<Checkpoint.Producer> producers = new ArrayList<>(producerCount);
        for (int i = 0; i < producerCount; i++) {
            long id = body.getLong();
            long lastTs = body.getLong();
            long evictedMax = body.getLong();
            int n = body.getInt();
            long[] seqs = new long[n];
            long[] positions = new long[n];
            for (int k = 0; k < n; k++) {
                seqs[k] = body.getLong();
                positions[k] = body.getLong();
            }
            producers.add(new Checkpoint.Producer(id, lastTs, evictedMax, seqs, positions));
        }
        int groupCount = body.getInt();
        List<Checkpoint.GroupOffsets> groups = new ArrayList<>(groupCount);
        for (int i = 0; i < groupCount; i++) {
            String group = string(body);
            String topic = string(body);
            int n = body.getInt();
            int[] queues = new int[n];
            long[] offsets = new long[n];
            for (int k = 0; k < n; k++) {
                queues[k] = body.getInt();
                offsets[k] = body.getLong();
            }
            groups.add(new Checkpoint.GroupOffsets(group, topic, queues, offsets));
        }
        int peerCount = body.getInt();
        List<RecordCodec.Peer> peers = new ArrayList<>(peerCount);
        for (int i = 0; i < peerCount; i++) {
            peers.add(new RecordCodec.Peer(string(body), string(body), body.getInt(), body.getInt(), body.get() == 1));
        }
        return new Checkpoint(raftIndex, logPosition, nextExpiryCheck, lastTimestamp, topics, producers, groups, peers);
    }

    /** Reads a checkpoint file; fails loudly when it is damaged. */
    public static Checkpoint read(Path file) {
        try {
            return decode(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new StoreException("cannot read checkpoint " + file, e);
        }
    }

    /** Replaces {@code file} atomically and durably with the encoded checkpoint. */
    public static void write(Path file, Checkpoint c) {
        try {
            DurableFiles.replace(file, encode(c));
        } catch (IOException e) {
            throw new StoreException("cannot write checkpoint " + file, e);
        }
    }

    private static String string(ByteBuffer in) {
        byte[] b = new byte[Short.toUnsignedInt(in.getShort())];
        in.get(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static int crc(ByteBuffer b) {
        CRC32C crc = new CRC32C();
        crc.update(b);
        return (int) crc.getValue();
    }
}
