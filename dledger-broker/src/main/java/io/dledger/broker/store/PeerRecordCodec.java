package io.dledger.broker.store;

import static io.dledger.broker.store.RecordCodec.HEADER_SIZE;
import static io.dledger.broker.store.RecordCodec.TYPE_PEER;
import static io.dledger.broker.store.RecordCodec.getString;
import static io.dledger.broker.store.RecordCodec.putString;
import static io.dledger.broker.store.RecordCodec.utf8;

import java.nio.ByteBuffer;

/**
 * Byte format of a PEER record's payload ({@link RecordCodec#TYPE_PEER}): a node added or removed online
 * ({@link RecordCodec.Peer}), and its codec. Stateless and thread-safe.
 *
 * <p>The payload follows the record header ({@link RecordCodec}); {@code str} is a string field as
 * {@link RecordCodec} encodes it:
 * <pre>
 * PEER:           id:str  host:str  raftPort:i32  grpcPort:i32  removed:u8   (membership bookkeeping)
 * </pre>
 */
final class PeerRecordCodec {
    private PeerRecordCodec() {
    }

    static int peerSize(RecordCodec.Peer p) {
        return HEADER_SIZE + 2 + utf8(p.id()).length + 2 + utf8(p.host()).length + 9;
    }

    static void writePeer(ByteBuffer buf, long raftIndex, int entrySeq, long timestamp, RecordCodec.Peer p) {
        RecordCodec.writeHeader(buf, peerSize(p), TYPE_PEER, raftIndex, entrySeq, timestamp, 0, 0);
        putString(buf, utf8(p.id()));
        putString(buf, utf8(p.host()));
        buf.putInt(p.raftPort()).putInt(p.grpcPort()).put((byte) (p.removed() ? 1 : 0));
    }

    static RecordCodec.Peer readPeer(ByteBuffer buf, int start) {
        ByteBuffer in = buf.duplicate();
        in.position(start + HEADER_SIZE);
        return new RecordCodec.Peer(getString(in), getString(in), in.getInt(), in.getInt(), in.get() == 1);
    }
}
