package io.dledger.broker.raft;

import com.alipay.remoting.ExtendedNettyChannelHandler;
import com.alipay.remoting.config.BoltClientOption;
import com.alipay.remoting.config.BoltServerOption;
import com.alipay.sofa.jraft.rpc.RaftRpcFactory;
import io.dledger.broker.config.ConfigKey;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * Mutual TLS on the Raft port ({@code raft.tls}): every connection between two nodes, whichever opened it, is TLS in
 * which both sides present the certificate of {@code grpc.tls.cert} (with the key of {@code grpc.tls.key}) and accept
 * the other's only when {@code raft.tls.ca} (by default that certificate itself) signs it. A process without such a
 * certificate cannot complete a handshake, so it can neither send the group Raft messages nor read them. Peers are
 * authenticated by their certificate's chain, not by host name (JRaft dials the addresses in {@code peers}, and any
 * certificate {@code raft.tls.ca} signs is a member's): it must sign the nodes' certificates alone. A certificate with
 * extended key usages must allow both TLS server and TLS client authentication.
 *
 * <p>The TLS handlers sit in front of Bolt's codec in each connection's Netty pipeline (Bolt's
 * {@link ExtendedNettyChannelHandler}); JRaft's messages and Bolt's framing are unchanged inside them. The
 * certificates are {@code NodeCredentials}', which take replaced files for the next handshake. Immutable and
 * thread-safe; each connection gets its own {@link SSLEngine}.
 */
final class RaftTransportTls {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SSLContext context;

    /** TLS with {@code context}'s certificates ({@code NodeCredentials.raft()}); nodes use {@link #forTransport}. */
    RaftTransportTls(SSLContext context) {
        this.context = context;
    }

    /**
     * TLS with {@code context}'s certificates for the Raft transport {@code factory}, JRaft's choice; throws
     * {@link IllegalStateException} unless it is {@link SecuredBoltRpcFactory}, the one that secures the node's Raft
     * client too (another RPC factory of higher priority on the class path would leave it plaintext).
     */
    static RaftTransportTls forTransport(SSLContext context, RaftRpcFactory factory) {
        if (!(factory instanceof SecuredBoltRpcFactory)) {
            throw new IllegalStateException(ConfigKey.RAFT_TLS.key() + " needs JRaft's RPC factory to be "
                    + SecuredBoltRpcFactory.class.getName() + ", but it picked " + factory.getClass().getName()
                    + " (a jar on the class path with a RaftRpcFactory of higher priority)");
        }
        return new RaftTransportTls(context);
    }

    /** {@link #secure(com.alipay.remoting.rpc.RpcServer)} for JRaft's Bolt server {@code server}. */
    void secure(com.alipay.sofa.jraft.rpc.RpcServer server) {
        secure(((com.alipay.sofa.jraft.rpc.impl.BoltRpcServer) server).getServer());
    }

    /** Makes {@code server} accept only TLS connections from peers with a trusted certificate; before it starts. */
    void secure(com.alipay.remoting.rpc.RpcServer server) {
        server.option(BoltServerOption.EXTENDED_NETTY_CHANNEL_HANDLER, handlers(false));
    }

    /** Makes {@code client} connect with TLS, presenting this node's certificate; before it starts. */
    void secure(com.alipay.remoting.rpc.RpcClient client) {
        client.option(BoltClientOption.EXTENDED_NETTY_CHANNEL_HANDLER, handlers(true));
    }

    /** A new engine for one connection: the side that dialled in client mode; the other demands a certificate. */
    private SSLEngine engine(boolean clientSide) {
        SSLEngine engine = context.createSSLEngine();
        engine.setEnabledProtocols(PROTOCOLS);
        engine.setUseClientMode(clientSide);
        if (!clientSide) {
            engine.setNeedClientAuth(true);
        }
        return engine;
    }

    private ExtendedNettyChannelHandler handlers(boolean clientSide) {
        return new ExtendedNettyChannelHandler() {
            @Override
            public List<ChannelHandler> frontChannelHandlers() { // called for each new connection
                return List.of(new SslHandler(engine(clientSide)));
            }

            @Override
            public List<ChannelHandler> backChannelHandlers() {
                return List.of();
            }
        };
    }
}
