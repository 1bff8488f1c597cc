package io.dledger.broker.raft;

import com.alipay.sofa.jraft.option.RpcOptions;
import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.rpc.impl.BoltRaftRpcFactory;
import com.alipay.sofa.jraft.rpc.impl.BoltRpcClient;
import com.alipay.sofa.jraft.util.SPI;

/**
 * JRaft's Bolt transport, plus TLS on the Raft clients of nodes started with {@link TlsNodeOptions}
 * ({@code raft.tls}); for every other node it is Bolt's factory unchanged. JRaft makes a node's Raft client inside the
 * node, through the one RPC factory it finds by SPI priority (registered in
 * {@code META-INF/services/com.alipay.sofa.jraft.rpc.RaftRpcFactory}; priority 1, above Bolt's 0, so it is that
 * factory whenever this jar is on the class path), and gives the factory the node's options: the only place a node's
 * client can be configured. Servers are secured where they are made ({@link RaftGroupSetup}). Stateless; thread-safe.
 */
@SPI(priority = 1)
public final class SecuredBoltRpcFactory extends BoltRaftRpcFactory {
    @Override
    public ConfigHelper<RpcClient> defaultJRaftClientConfigHelper(RpcOptions opts) {
        if (opts instanceof TlsNodeOptions tlsOptions) {
            return client -> tlsOptions.tls().secure(((BoltRpcClient) client).getRpcClient());
        }
        return super.defaultJRaftClientConfigHelper(opts);
    }
}
