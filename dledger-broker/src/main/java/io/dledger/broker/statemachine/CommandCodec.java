package io.dledger.broker.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dledger.proto.internal.CommandBatch;
import java.nio.ByteBuffer;

/**
 * Encoding of the data of a Raft entry: one protobuf {@link CommandBatch} (see raft_command.proto) —
 * the leader's timestamp and the commands it grouped into the entry, in apply order. Stateless and
 * thread-safe.
 */
public final class CommandCodec {
    private CommandCodec() {
    }

    public static ByteBuffer encode(CommandBatch batch) {
        return ByteBuffer.wrap(batch.toByteArray());
    }

    /** Decodes an entry's data; an undecodable entry means a bug or a version mismatch, never user input. */
    public static CommandBatch decode(ByteBuffer data) {
        try {
            return CommandBatch.parseFrom(data.duplicate());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("undecodable Raft entry of " + data.remaining() + " bytes", e);
        }
    }
}
