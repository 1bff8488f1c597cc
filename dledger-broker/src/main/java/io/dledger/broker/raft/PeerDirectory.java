package io.dledger.broker.raft;

import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.RecordCodec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The members of the Raft group and their addresses: the configured peers, plus nodes added online and
 * minus nodes removed online (both recorded through Raft in the store, so every node agrees and a
 * restarted node remembers). Thread-safe; computed on each call (the lists are tiny).
 */
public final class PeerDirectory {
    private final NodeConfig config;
    private final MessageStore store;

    public PeerDirectory(NodeConfig config, MessageStore store) {
        this.config = config;
        this.store = store;
    }

    public List<PeerSpec> current() {
        Map<String, PeerSpec> byId = new LinkedHashMap<>();
        config.peers().forEach(p -> byId.put(p.id(), p));
        for (RecordCodec.Peer p : store.peerRecords().values()) {
            if (p.removed()) {
                byId.remove(p.id());
            } else {
                byId.put(p.id(), new PeerSpec(p.id(), p.host(), p.raftPort(), p.grpcPort()));
            }
        }
        return List.copyOf(byId.values());
    }

    public Optional<PeerSpec> byId(String id) {
        return current().stream().filter(p -> p.id().equals(id)).findFirst();
    }

    public Optional<PeerSpec> byRaftEndpoint(String host, int port) {
        return current().stream().filter(p -> p.raftPort() == port && p.host().equals(host)).findFirst();
    }

    public PeerSpec self() {
        return config.self();
    }
}
