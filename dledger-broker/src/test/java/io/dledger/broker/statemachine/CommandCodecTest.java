package io.dledger.broker.statemachine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.dledger.proto.internal.Command;
import io.dledger.proto.internal.CommandBatch;
import io.dledger.proto.internal.CommandMessage;
import io.dledger.proto.internal.CreateTopicCommand;
import io.dledger.proto.internal.ProduceCommand;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CommandCodecTest {
    @Test
    void roundTripKeepsEveryFieldAndTheCommandOrder() {
        CommandBatch batch = CommandBatch.newBuilder().setTimestampMs(123)
                .addCommands(Command.newBuilder().setCreateTopic(CreateTopicCommand.newBuilder().setTopic("t")
                        .setQueues(3)))
                .addCommands(Command.newBuilder().setProduce(ProduceCommand.newBuilder().setTopic("t")
                        .setProducerId(-1L).setSequence(5).addMessages(CommandMessage.newBuilder().setQueue(2)
                                .setKey("k").setTags("a").putProperties("x", "y")
                                .setBody(ByteString.copyFrom(new byte[] {0, 1, 2})))))
                .build();
        ByteBuffer encoded = CommandCodec.encode(batch);
        assertThat(CommandCodec.decode(encoded)).isEqualTo(batch);
        assertThat(CommandCodec.decode(encoded)).as("decode leaves the buffer readable").isEqualTo(batch);
    }

    @Test
    void garbageIsRejectedLoudly() {
        assertThatThrownBy(() -> CommandCodec.decode(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, 7})))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("undecodable");
    }
}
