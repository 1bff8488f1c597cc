package io.dledger.broker.raft;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.entity.PeerId;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Told each configuration JRaft commits (on every node): closes this node's Raft connection to every peer that
 * left it. JRaft does not, and Bolt then tries to reconnect to a removed node twice a minute for good, logging a
 * stack trace each time. The connection is closed {@link #GRACE_SECONDS} s later, and only if the peer is still
 * out of the newest committed configuration: a joint-consensus step, or a log replay that removes and re-adds a
 * peer, moves on within that time (closing a member's connection would also switch off Bolt's background
 * reconnects to it for good). {@link #accept} runs on the state machine thread; the delayed check reads the newest
 * configuration it saw.
 */
final class RemovedPeerConnections implements Consumer<Configuration> {
    private static final Logger LOG = LoggerFactory.getLogger(RemovedPeerConnections.class);

    static final long GRACE_SECONDS = 10;

    private final Consumer<PeerId> disconnect;
    private final Executor afterGrace;
    private volatile Set<PeerId> lastCommitted;

    /** For {@code node}: closes the connection through JRaft's RPC client, {@link #GRACE_SECONDS} s later. */
    RemovedPeerConnections(Node node) {
        this(peer -> {
            if (node instanceof NodeImpl impl) {
                impl.getRpcService().disconnect(peer.getEndpoint());
            }
        }, CompletableFuture.delayedExecutor(GRACE_SECONDS, TimeUnit.SECONDS));
    }

    /**
     * @param disconnect closes this node's connection to a peer
     * @param afterGrace runs a task once the grace period is over
     */
    RemovedPeerConnections(Consumer<PeerId> disconnect, Executor afterGrace) {
        this.disconnect = disconnect;
        this.afterGrace = afterGrace;
    }

    @Override
    public void accept(Configuration conf) {
        Set<PeerId> now = new HashSet<>(conf.getPeers());
        Set<PeerId> before = lastCommitted;
        lastCommitted = now;
        if (before == null) {
            return;
        }
        for (PeerId gone : before) {
            if (!now.contains(gone)) {
                afterGrace.execute(() -> {
                    if (!lastCommitted.contains(gone)) {
                        try {
                            disconnect.accept(gone);
                            LOG.info("{} left the configuration: closed its Raft connection", gone);
                        } catch (RuntimeException e) { // the node is shutting down
                            LOG.debug("could not close the connection to {}: {}", gone, e.toString());
                        }
                    }
                });
            }
        }
    }
}
