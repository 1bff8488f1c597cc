package io.dledger.broker.cli;

import com.google.gson.GsonBuilder;
import io.dledger.broker.local.NodeProcess;
import io.dledger.client.ClusterView;
import io.dledger.client.NodeView;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link ClusterView} as an aligned table or as JSON (for scripts). Stateless. */
public final class ClusterTable {
    private ClusterTable() {
    }

    /**
     * What to say when no node of {@code view} answered: the addresses tried, each distinct error, and what to check:
     * the token when every node refused it, the port when every address answered but not as gRPC, the TLS setting when
     * a connection failed for TLS, else whether the cluster runs.
     */
    static String unreachable(ClusterView view) {
        return unreachable(view, "is the cluster running? 'bin/dledger cluster up' starts a local one; --servers or "
                + "$DLEDGER_SERVERS name another");
    }

    /**
     * As {@link #unreachable(ClusterView)}, with {@code runningHint} as what to check when it is neither the token nor
     * TLS.
     */
    public static String unreachable(ClusterView view, String runningHint) {
        java.util.List<String> errors = view.nodes().stream().map(NodeView::error).filter(java.util.Objects::nonNull)
                .distinct().toList();
        String why = errors.isEmpty() ? "" : "; " + String.join(" | ", errors);
        java.util.List<String> addresses = view.nodes().stream().map(NodeView::grpcAddress).toList();
        if (refusedByEveryNode(view)) {
            return "every node at " + addresses + " refused this client" + why + " (give a token: --token-file or "
                    + "$DLEDGER_TOKEN)";
        }
        if (!errors.isEmpty() && errors.stream().allMatch(e -> e.contains("not a gRPC port")
                || e.contains("not a dledger gRPC port"))) {
            return "no gRPC port at " + addresses + why + " (give the nodes' gRPC ports: the last port of each peers "
                    + "entry, id=host:raftPort:grpcPort; 9101-9103 in a default local cluster)";
        }
        if (!errors.isEmpty() && errors.stream().allMatch(e -> e.contains("or not its gRPC port"))) {
            // closed or reset before any answer: a TLS node to a plaintext client, or a port that is no gRPC port
            return "no node at " + addresses + " took this client's connection" + why + " (give the nodes' gRPC "
                    + "ports, the last port of each peers entry; if they serve TLS, --tls-ca or $DLEDGER_TLS_CA)";
        }
        if (errors.stream().anyMatch(e -> e.contains("TLS"))) {
            return "no node at " + addresses + " took this client's connection" + why + " (check the TLS setting: "
                    + "--tls-ca or $DLEDGER_TLS_CA)";
        }
        return "no node is reachable at " + addresses + why + " (" + runningHint + ")";
    }

    /** Whether every node of {@code view} refused this client's token (or its lack of one). */
    public static boolean refusedByEveryNode(ClusterView view) {
        return !view.nodes().isEmpty() && view.nodes().stream().map(NodeView::error)
                .allMatch(e -> e != null && e.startsWith("UNAUTHENTICATED"));
    }

    /** The exit code of a status: 1 when no node answered, 3 when none leads, else 0. */
    static int exitCode(ClusterView view) {
        return view.nodes().stream().noneMatch(NodeView::reachable) ? 1 : view.leaderId() == null ? 3 : 0;
    }

    /** Fails with {@link #unreachable} when no node of {@code view} answered. */
    static void requireSomeReachable(ClusterView view) {
        if (view.nodes().stream().noneMatch(NodeView::reachable)) {
            throw new IllegalStateException(unreachable(view));
        }
    }

    static void print(ClusterView view, PrintStream out) {
        if (view.nodes().stream().noneMatch(NodeView::reachable)) {
            out.println(unreachable(view));
            return;
        }
        out.printf("%-6s %-22s %-11s %6s %-7s %10s %10s %7s %-13s%n", "NODE", "ADDRESS", "ROLE", "TERM", "LEADER",
                "COMMIT", "APPLIED", "LAG", "DISK FREE");
        for (NodeView n : view.nodes()) {
            String id = n.id() == null ? "?" : n.id();
            if (!n.reachable()) {
                out.printf("%-6s %-22s %-11s %6s %-7s %10s %10s %7s %-13s  (%s)%n", id, n.grpcAddress(), "UNREACHABLE",
                        "-", "-", "-", "-", "-", "-", n.error() == null ? "no answer" : n.error());
                continue;
            }
            out.printf("%-6s %-22s %-11s %6d %-7s %10d %10d %7s %-13s%s%n", id, n.grpcAddress(), n.role(), n.term(),
                    n.leaderId() == null ? "-" : n.leaderId(), n.commitIndex(), n.appliedIndex(),
                    n.lagEntries() < 0 ? "-" : Long.toString(n.lagEntries()), disk(n.disk()),
                    n.error() == null ? "" : "  (" + n.error() + ")");
        }
        out.println(view.leaderId() == null ? "no leader (election in progress or no majority reachable)"
                : "leader: " + view.leaderId() + " (term " + view.term() + ")");
        if (view.nodes().stream().anyMatch(n -> n.disk() != null && n.disk().belowMinimum())) {
            out.println("LOW: the node's disk is below its store.min.free.bytes; the leader refuses writes while its "
                    + "own disk is, or while followers' are and fewer than a majority of the nodes can store");
        }
    }

    /** Usable space in GiB with one decimal, "LOW" when below the node's minimum; "-" when not reported. */
    static String disk(NodeView.Disk d) {
        if (d == null) {
            return "-";
        }
        String free = d.usableBytes() < 0 ? "?" : String.format(Locale.ROOT, "%.1f GiB",
                d.usableBytes() / (double) (1L << 30));
        return d.belowMinimum() ? free + " LOW" : free;
    }

    static String json(ClusterView view) {
        return toJson(tree(view));
    }

    /** The cluster, then the local cluster's {@code processes}: id, running, pid ({@code null}: stopped), dataDir. */
    static String json(ClusterView view, List<NodeProcess> processes) {
        Map<String, Object> root = tree(view);
        List<Map<String, Object>> list = new ArrayList<>();
        for (NodeProcess n : processes) {
            boolean alive = n.alive();
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("id", n.id());
            p.put("running", alive);
            p.put("pid", alive ? n.pid() : null);
            p.put("dataDir", n.dataDir().toString());
            list.add(p);
        }
        root.put("processes", list);
        return toJson(root);
    }

    private static String toJson(Map<String, Object> root) {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(root);
    }

    /**
     * The cluster as JSON objects. An unreachable node's own figures (term, leader, indexes, lag) are {@code null}:
     * nobody reported them; so is a lag the leader does not know.
     */
    private static Map<String, Object> tree(ClusterView view) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("leader", view.leaderId());
        root.put("term", view.term());
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (NodeView n : view.nodes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", n.id());
            m.put("grpcAddress", n.grpcAddress());
            m.put("metricsUrl", n.metricsUrl());
            m.put("reachable", n.reachable());
            m.put("role", n.reachable() ? n.role().name() : "UNREACHABLE");
            boolean r = n.reachable();
            m.put("term", r ? n.term() : null);
            m.put("leader", r ? n.leaderId() : null);
            m.put("commitIndex", r ? n.commitIndex() : null);
            m.put("appliedIndex", r ? n.appliedIndex() : null);
            m.put("lastLogIndex", r ? n.lastLogIndex() : null);
            m.put("lastSnapshotIndex", r ? n.lastSnapshotIndex() : null);
            m.put("lagEntries", r && n.lagEntries() >= 0 ? n.lagEntries() : null);
            if (n.disk() != null) {
                Map<String, Object> disk = new LinkedHashMap<>();
                disk.put("usableBytes", n.disk().usableBytes());
                disk.put("minFreeBytes", n.disk().minFreeBytes());
                disk.put("belowMinimum", n.disk().belowMinimum());
                m.put("disk", disk);
            }
            if (n.error() != null) {
                m.put("error", n.error());
            }
            nodes.add(m);
        }
        root.put("nodes", nodes);
        return root;
    }
}
