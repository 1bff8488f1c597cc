package io.dledger.broker.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.remoting.ProcessorManager;
import com.alipay.remoting.ProtocolCode;
import com.alipay.remoting.ProtocolManager;
import com.alipay.remoting.RemotingProcessor;
import com.alipay.remoting.rpc.RpcConfigs;
import com.alipay.remoting.rpc.protocol.RpcCommandCode;
import com.alipay.remoting.rpc.protocol.RpcCommandHandler;
import com.alipay.remoting.rpc.protocol.RpcProtocol;
import com.alipay.remoting.rpc.protocol.RpcProtocolV2;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class IoThreadReplicationTest {

    private static RemotingProcessor<?> responseProcessor(byte protocol) throws Exception {
        RpcCommandHandler handler = (RpcCommandHandler) ProtocolManager.getProtocol(ProtocolCode.fromBytes(protocol))
                .getCommandHandler();
        Field f = RpcCommandHandler.class.getDeclaredField("processorManager"); // Bolt has no getter for it
        f.setAccessible(true);
        return ((ProcessorManager) f.get(handler)).getProcessor(RpcCommandCode.RPC_RESPONSE);
    }

    @Test
    void installReplacesTheResponseProcessorOfBothBoltProtocolsAndKeepsMessageListsOnTheIoThread() throws Exception {
        IoThreadReplication.install();
        IoThreadReplication.install(); // a second node in the same JVM

        for (byte protocol : new byte[] {RpcProtocol.PROTOCOL_CODE, RpcProtocolV2.PROTOCOL_CODE}) {
            assertThat(responseProcessor(protocol).getClass().getName())
                    .isEqualTo(IoThreadReplication.class.getName() + "$InlineResponseProcessor");
        }
        assertThat(System.getProperty(RpcConfigs.DISPATCH_MSG_LIST_IN_DEFAULT_EXECUTOR)).isEqualTo("false");
    }
}
