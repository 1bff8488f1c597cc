package io.dledger.broker.local;

import java.util.ArrayList;
import java.util.List;

/**
 * The ports of a local cluster's nodes: the base-port layout (node {@code i} on BASE+i for Raft, BASE+100+i for
 * gRPC, BASE+200+i for HTTP) and which of a node's ports are taken. Stateless.
 */
final class PortLayout {
    private PortLayout() {
    }

    /** Node {@code number}'s Raft, gRPC and HTTP ports in the layout of base port {@code base}. */
    static int[] ports(int base, int number) {
        return new int[] {base + number, base + 100 + number, base + 200 + number};
    }

    /**
     * Node {@code number}'s Raft, gRPC and HTTP ports in the cluster's base-port layout (BASE+i, BASE+100+i,
     * BASE+200+i), when every node follows that layout, the number fits it and those ports are free; else null.
     */
    static int[] basePortLayout(List<NodeProcess> nodes, int number) {
        if (nodes.isEmpty() || number > 99) {
            return null;
        }
        NodeProcess first = nodes.get(0);
        int base = first.peer().raftPort() - Integer.parseInt(first.id().substring(1));
        for (NodeProcess n : nodes) {
            int[] expected = ports(base, Integer.parseInt(n.id().substring(1)));
            if (n.peer().raftPort() != expected[0] || n.peer().grpcPort() != expected[1]
                    || n.httpPort() != expected[2]) {
                return null;
            }
        }
        int[] ports = ports(base, number);
        for (int port : ports) {
            if (port > 65535 || PortAllocator.listenedOn(port)) {
                return null;
            }
        }
        return ports;
    }

    /** The ports of {@code n} that something listens on, described for a message ("port 9001 (n1's Raft)"). */
    static List<String> takenPorts(NodeProcess n) {
        List<String> out = new ArrayList<>();
        int[] ports = {n.peer().raftPort(), n.peer().grpcPort(), n.httpPort()};
        String[] names = {"Raft", "gRPC", "HTTP"};
        for (int i = 0; i < ports.length; i++) {
            if (PortAllocator.listenedOn(ports[i])) {
                out.add("port " + ports[i] + " (" + n.id() + "'s " + names[i] + ")");
            }
        }
        return out;
    }
}
