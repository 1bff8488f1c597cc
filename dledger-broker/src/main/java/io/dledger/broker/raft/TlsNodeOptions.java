package io.dledger.broker.raft;

import com.alipay.sofa.jraft.option.NodeOptions;
import java.util.Objects;

/**
 * JRaft's {@link NodeOptions} of a node whose Raft port speaks mutual TLS: JRaft hands a node's options to the RPC
 * factory when it makes the node's Raft client, and {@link SecuredBoltRpcFactory} secures the clients of nodes whose
 * options are of this type. Not thread-safe, like its parent; set up before the node starts.
 */
final class TlsNodeOptions extends NodeOptions {
    private final RaftTransportTls tls;

    TlsNodeOptions(RaftTransportTls tls) {
        this.tls = Objects.requireNonNull(tls, "tls");
    }

    RaftTransportTls tls() {
        return tls;
    }
}
