package io.dledger.client;

import io.dledger.proto.NodeRef;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.Role;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the client knows about the nodes: seed addresses, node ids learned from {@code GetNodeStatus} answers,
 * the address to use for each id, and one {@link ManagedChannel} per address.
 *
 * <p>Address choice for a node id: the seed address that answered as that id wins (behind port mapping or NAT
 * the address a node advertises may not be reachable from the client, but the seed address the user gave is);
 * otherwise the address the node advertises (in {@code NodeStatus.self}, {@code peers}, leader hints, pull
 * suggestions).
 *
 * <p>A leader's answer names the members: ids it does not list are forgotten (see {@link #learn(String, NodeStatus)}),
 * and the channel of an address no seed or known node uses any more is shut down.
 *
 * <p>Thread-safe: lock-free maps; each node entry is replaced atomically.
 */
final class NodeDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeDirectory.class);

    /** What is known about one node id. {@code seedAddress} is the seed that answered as this id, if any. */
    private record Entry(String id, String advertised, String seedAddress) {
        String address() {
            return seedAddress != null ? seedAddress : advertised;
        }
    }

    private final List<String> seeds;
    private final Function<String, ManagedChannel> channelFactory;
    private final ConcurrentMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    /** Channels shut down gracefully after their node was forgotten, until they terminate. */
    private final Set<ManagedChannel> retired = ConcurrentHashMap.newKeySet();
    private final ConcurrentMap<String, Entry> nodes = new ConcurrentHashMap<>();
    /** Shortest time between two wake-ups of the channel of an address whose name did not resolve. */
    static final long WAKE_UP_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Addresses whose name did not resolve at their last probe: when their channel was last woken. */
    private final ConcurrentMap<String, Long> lastWakeUps = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private long newestLeaderTerm; // guarded by this
    private long newestLeaderCommit; // guarded by this

    NodeDirectory(List<String> seeds, Function<String, ManagedChannel> channelFactory) {
        this.seeds = List.copyOf(seeds);
        this.channelFactory = channelFactory;
    }

    /** The ids of the nodes known by id, sorted (for error messages). */
    List<String> knownIds() {
        return nodes.keySet().stream().sorted().toList();
    }

    List<String> seeds() {
        return seeds;
    }

    /** Learns from a status answered by {@code answeringAddress}: the node's own id, its peers, its leader. */
    void learn(String answeringAddress, NodeStatus status) {
        NodeRef self = status.getSelf();
        if (!self.getId().isEmpty()) {
            String seed = seeds.contains(answeringAddress) ? answeringAddress : null;
            if (seed != null) {
                // A seed answers as exactly one id: drop it from any other id it was mapped to before.
                nodes.replaceAll((id, e) -> seed.equals(e.seedAddress()) && !id.equals(self.getId())
                        ? new Entry(id, e.advertised(), null) : e);
            }
            merge(self.getId(), self.getGrpcAddress(), seed);
        }
        for (NodeRef peer : status.getPeersList()) {
            learn(peer);
        }
        if (status.hasLeader()) {
            learn(status.getLeader());
        }
        if (status.getRole() == Role.LEADER && status.getPeersCount() > 0 && !self.getId().isEmpty()) {
            forgetNonMembers(status);
        }
    }

    /**
     * A leader's peer list is the configuration: nodes learned earlier that are not in it (removed, or an add that
     * failed) are forgotten, so probes stop asking them. A leader of an older term than one already seen may not
     * know it was deposed, and its list may be older too: it is ignored, as is a late answer of the same leader
     * with a lower commit index (taken before a membership change). A node known by the seed address that
     * answered as it is kept (a node about to join is such a seed); a forgotten node named again is learned again.
     */
    private synchronized void forgetNonMembers(NodeStatus leader) {
        // answers are ordered by term, then by commit index (a membership change keeps the term)
        if (leader.getTerm() < newestLeaderTerm
                || (leader.getTerm() == newestLeaderTerm && leader.getCommitIndex() < newestLeaderCommit)) {
            return;
        }
        newestLeaderTerm = leader.getTerm();
        newestLeaderCommit = leader.getCommitIndex();
        Set<String> members = new HashSet<>();
        members.add(leader.getSelf().getId());
        leader.getPeersList().forEach(p -> members.add(p.getId()));
        List<String> forgotten = new ArrayList<>();
        for (Entry e : List.copyOf(nodes.values())) {
            // a seed that answered as an id is the user's own knowledge (a node about to join answers that way)
            if (!members.contains(e.id()) && e.seedAddress() == null && nodes.remove(e.id(), e)) {
                LOG.info("forgetting node {}: leader {} (term {}) does not list it as a member", e.id(),
                        leader.getSelf().getId(), leader.getTerm());
                forgotten.add(e.address());
            }
        }
        forgotten.forEach(this::retireChannel);
    }

    /**
     * Shuts down the channel of a forgotten node's address unless a seed or another node still uses it. The
     * shutdown is graceful: calls already on the channel finish; a call started on it afterwards fails as
     * {@code UNAVAILABLE} without reaching the node and is retried elsewhere when it is safe to repeat (calls
     * that are not go to the leader, which a leader's answer always lists).
     */
    private void retireChannel(String address) {
        if (address == null || probeAddresses().contains(address)) {
            return;
        }
        ManagedChannel ch = channels.remove(address);
        lastWakeUps.remove(address);
        if (ch != null) {
            ch.shutdown();
            retired.removeIf(ManagedChannel::isTerminated);
            retired.add(ch); // a call still on it is cut by close()
        }
    }

    /** Learns a node's advertised address (from peers, hints, suggestions). */
    void learn(NodeRef ref) {
        if (!ref.getId().isEmpty()) {
            merge(ref.getId(), ref.getGrpcAddress(), null);
        }
    }

    private void merge(String id, String advertised, String seed) {
        String adv = advertised == null || advertised.isEmpty() ? null : advertised;
        if (adv == null && seed == null) {
            return; // nothing to learn: an id without any address cannot be called
        }
        nodes.merge(id, new Entry(id, adv, seed), (old, fresh) -> new Entry(id,
                fresh.advertised() != null ? fresh.advertised() : old.advertised(),
                fresh.seedAddress() != null ? fresh.seedAddress() : old.seedAddress()));
    }

    /** The address to use for node {@code id}, if one is known. */
    Optional<String> addressOf(String id) {
        Entry e = nodes.get(id);
        return e == null ? Optional.empty() : Optional.ofNullable(e.address());
    }

    /** The address to use for {@code ref}: the known address of its id, else the address it carries. */
    Optional<String> addressOf(NodeRef ref) {
        Optional<String> known = ref.getId().isEmpty() ? Optional.empty() : addressOf(ref.getId());
        if (known.isPresent()) {
            return known;
        }
        return ref.getGrpcAddress().isEmpty() ? Optional.empty() : Optional.of(ref.getGrpcAddress());
    }

    /** Every node id learned so far, with its address (or {@code null}), sorted by id. */
    Map<String, String> knownNodes() {
        Map<String, String> out = new TreeMap<>();
        nodes.values().forEach(e -> out.put(e.id(), e.address()));
        return out;
    }

    /** Seeds not (or no longer) mapped to any node id. */
    List<String> unmappedSeeds() {
        Set<String> mapped = new LinkedHashSet<>();
        nodes.values().forEach(e -> {
            if (e.seedAddress() != null) {
                mapped.add(e.seedAddress());
            }
        });
        List<String> out = new ArrayList<>();
        for (String s : seeds) {
            if (!mapped.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    /** Addresses worth asking for the cluster state: the seeds and the address of every known node. */
    Set<String> probeAddresses() {
        Set<String> out = new LinkedHashSet<>(seeds);
        nodes.values().forEach(e -> {
            if (e.address() != null) {
                out.add(e.address());
            }
        });
        return out;
    }

    /** The channel for {@code address}, created on first use. */
    ManagedChannel channel(String address) {
        if (closed) {
            throw Errors.closed("client");
        }
        ManagedChannel ch = channels.computeIfAbsent(address, channelFactory);
        if (closed) { // raced with close(): do not leak the channel
            ch.shutdownNow();
            throw Errors.closed("client");
        }
        return ch;
    }

    /**
     * Makes a channel that is waiting to reconnect (after its node went away) try again now, so a node that came
     * back is used without waiting for gRPC's reconnect backoff, which grows to minutes. An address whose name did
     * not resolve at its last probe is woken at most once per {@link #WAKE_UP_GAP_NANOS}: probes run every 25 ms
     * while a leader is sought, and gRPC logs every failed resolution with a stack trace. A refused connection is
     * cheap and quiet, and a node that comes back is used at once.
     */
    void wakeUp(String address) {
        ManagedChannel ch = channels.get(address);
        if (ch == null || ch.getState(false) != ConnectivityState.TRANSIENT_FAILURE) {
            return;
        }
        Long last = lastWakeUps.get(address);
        if (last == null) {
            ch.resetConnectBackoff();
            return;
        }
        long now = System.nanoTime();
        if (now - last >= WAKE_UP_GAP_NANOS && lastWakeUps.replace(address, last, now)) {
            ch.resetConnectBackoff();
        }
    }

    /**
     * Records how a probe of {@code address} went: {@code error} null (it answered) or why not. Only a name that
     * does not resolve slows down {@link #wakeUp} for that address, until it answers again.
     */
    void noteReachability(String address, Throwable error) {
        boolean unresolved = error != null
                && Errors.cause(error, UnknownHostException.class, UnresolvedAddressException.class) != null;
        if (unresolved) {
            lastWakeUps.putIfAbsent(address, System.nanoTime());
        } else {
            lastWakeUps.remove(address);
        }
    }


    @Override
    public void close() {
        closed = true;
        List<ManagedChannel> all = new ArrayList<>(channels.values());
        all.addAll(retired);
        all.forEach(ManagedChannel::shutdownNow);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (ManagedChannel ch : all) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !ch.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                    LOG.debug("channel {} did not terminate within 1 s of shutdown", ch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
