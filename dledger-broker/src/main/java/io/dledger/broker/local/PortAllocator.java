package io.dledger.broker.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports for local nodes, chosen at random in {@code [FIRST, FIRST + COUNT)}: below Linux's
 * ephemeral range (32768-60999 by default), so the kernel never hands a node's port to an outgoing
 * connection (Raft peers, clients) before the node binds it, at start or between a kill and a restart
 * (with ports from {@code new ServerSocket(0)} that happened, and the node could not start). A port
 * counts as free when it can be bound on all interfaces; ports already handed out by this allocator are skipped.
 * Not thread-safe.
 */
public final class PortAllocator {
    public static final int FIRST = 20_000;
    public static final int COUNT = 12_000;

    private final Set<Integer> taken = new HashSet<>();

    public PortAllocator(Set<Integer> alreadyUsed) {
        taken.addAll(alreadyUsed);
    }

    /** Scans the range from a random start (wrapping around), so concurrent clusters rarely collide. */
    public int next() {
        int start = ThreadLocalRandom.current().nextInt(COUNT);
        for (int i = 0; i < COUNT; i++) {
            int port = FIRST + (start + i) % COUNT;
            if (!taken.contains(port) && bindable(port)) {
                taken.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free port in " + FIRST + ".." + (FIRST + COUNT - 1));
    }

    /**
     * True when something listens on {@code port} (on any interface): binding it fails even with
     * SO_REUSEADDR, which the nodes' servers use, so connections of a killed node in TIME_WAIT do not count.
     */
    static boolean listenedOn(int port) {
        return !canBind(port, true);
    }

    private static boolean bindable(int port) {
        return canBind(port, false);
    }

    private static boolean canBind(int port, boolean reuseAddress) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(reuseAddress);
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
