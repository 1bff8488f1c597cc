package io.dledger.client;

import io.dledger.proto.NodeRef;
import io.dledger.proto.Role;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A set of {@link FakeNode}s on in-process servers. Each node advertises {@code <id>:7000}; {@link #route} maps
 * further addresses (such as seed addresses behind "port mapping") to a node. Addresses that map to no running
 * server fail like an unreachable host (UNAVAILABLE).
 */
final class FakeCluster implements AutoCloseable {

    private final String prefix = "fake-" + UUID.randomUUID() + "/";
    private final Map<String, FakeNode> nodes = new LinkedHashMap<>();
    private final Map<String, String> routes = new ConcurrentHashMap<>();
    /** Every address the client asked a channel for, in order. */
    final List<String> channelsOpened = new CopyOnWriteArrayList<>();

    FakeCluster(String... ids) {
        for (String id : ids) {
            FakeNode node = new FakeNode(id, prefix + id, id + ":7000");
            nodes.put(id, node);
            routes.put(node.advertisedAddress, node.serverName);
        }
        List<NodeRef> peers = nodes.values().stream().map(FakeNode::ref).toList();
        nodes.values().forEach(n -> n.peers = peers);
    }

    FakeNode node(String id) {
        return nodes.get(id);
    }

    List<FakeNode> nodes() {
        return new ArrayList<>(nodes.values());
    }

    FakeCluster startAll() {
        nodes.values().forEach(FakeNode::start);
        return this;
    }

    /** Makes {@code address} reach node {@code id}. */
    FakeCluster route(String address, String id) {
        routes.put(address, nodes.get(id).serverName);
        return this;
    }

    /** Makes {@code address} reach nothing. */
    FakeCluster unroute(String address) {
        routes.remove(address);
        return this;
    }

    /** Changes what every node advertises for node {@code id} (its own self and every peer list). */
    FakeCluster advertise(String id, String address) {
        FakeNode target = nodes.get(id);
        routes.remove(target.advertisedAddress);
        target.advertisedAddress = address;
        List<NodeRef> peers = nodes.values().stream().map(FakeNode::ref).toList();
        nodes.values().forEach(n -> n.peers = peers);
        return this;
    }

    /** Every node agrees {@code leaderId} leads in {@code term}. */
    void elect(String leaderId, long term) {
        NodeRef leader = nodes.get(leaderId).ref();
        for (FakeNode n : nodes.values()) {
            n.role = n.id.equals(leaderId) ? Role.LEADER : Role.FOLLOWER;
            n.term = term;
            n.leader = leader;
        }
    }

    /** Every node is a follower of no leader in {@code term} (an election is running). */
    void noLeader(long term) {
        for (FakeNode n : nodes.values()) {
            n.role = Role.FOLLOWER;
            n.term = term;
            n.leader = null;
        }
    }

    int totalStatusCalls() {
        return nodes.values().stream().mapToInt(n -> n.statusCalls.get()).sum();
    }

    /** A client builder seeded with every advertised address, short timeouts, in-process channels. */
    DLedgerClient.Builder clientBuilder() {
        return DLedgerClient.builder()
                .seeds(seeds())
                .requestTimeout(Duration.ofSeconds(1))
                .operationTimeout(Duration.ofSeconds(10))
                .channelFactory(channelFactory());
    }

    /** The same settings as {@link #clientBuilder()}, for tests of the client's internals. */
    ClientConfig clientConfig() {
        return new ClientConfig(seeds(), Duration.ofSeconds(1), Duration.ofSeconds(10), 4 << 20, 256,
                channelFactory(), null);
    }

    private List<String> seeds() {
        return nodes.values().stream().map(n -> n.advertisedAddress).toList();
    }

    private java.util.function.Function<String, io.grpc.ManagedChannel> channelFactory() {
        return address -> {
            channelsOpened.add(address);
            String server = routes.getOrDefault(address, prefix + "nowhere/" + address);
            return InProcessChannelBuilder.forName(server).build();
        };
    }

    @Override
    public void close() {
        nodes.values().forEach(FakeNode::stop);
    }
}
