package io.dledger.broker.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.entity.PeerId;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Told each configuration JRaft commits (on every node): closes this node's Raft connection to every peer that
 * left it. JRaft does not, and Bolt then tries to reconnect to a removed node twice a minute for good, logging a
 * stack trace each time. Called on the state machine thread only; not thread-safe.
 */
final class RemovedPeerConnections implements Consumer<Configuration> {
    private static final Logger LOG = LoggerFactory.getLogger(RemovedPeerConnections.class);

    private final Node node;
    private Set<PeerId> lastCommitted;

    RemovedPeerConnections(Node node) {
        this.node = node;
    }

    @Override
    public void accept(Configuration conf) {
        Set<PeerId> now = new HashSet<>(conf.getPeers());
        now.addAll(conf.getLearners());
        Set<PeerId> before = lastCommitted;
        lastCommitted = now;
        if (before == null || !(node instanceof NodeImpl impl)) {
            return;
        }
        for (PeerId gone : before) {
            if (!now.contains(gone)) {
                impl.getRpcService().disconnect(gone.getEndpoint());
                LOG.info("{} left the configuration: closed its Raft connection", gone);
            }
        }
    }
}
