package io.dledger.broker.local;

import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.NodeConfigLoader;
import io.dledger.broker.config.PeerSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Raft group of broker nodes on 127.0.0.1, each a separate JVM with its own ports, data directory
 * and log file, all under one directory. Its state ({@value #STATE_FILE}) records which processes it
 * started, so another invocation ({@code cluster down}) stops exactly those. Used by
 * {@code dledger cluster}, {@code dledger demo}, the benchmarks and the integration tests.
 *
 * <p>Thread-safety: not thread-safe; one caller drives a cluster.
 */
public final class LocalCluster {
    public static final String STATE_FILE = ClusterStateFile.NAME;
    /** JVM flags every node gets (JRaft's protobuf classes, Hessian reflection). */
    public static final List<String> NODE_JVM_FLAGS = List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC",
            "-XX:+ExitOnOutOfMemoryError", "-Dcom.google.protobuf.use_unsafe_pre22_gencode=true",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED");

    /**
     * HotSpot suspends threads for JFR's sampler with SIGUSR2, on which JRaft installs a handler that dumps
     * its metrics: moving the JVM's signal elsewhere keeps JFR usable on nodes (docs/performance.md, "Profiling a
     * node").
     */
    public static final String SR_SIGNAL_ENV = "_JAVA_SR_SIGNUM";
    public static final String SR_SIGNAL = "39";
    /** Extra JVM flags for every node this class starts (profilers, GC experiments), split on spaces. */
    public static final String NODE_JAVA_OPTS_ENV = "DLEDGER_NODE_JAVA_OPTS";
    /** Settings that place a node in the cluster: {@link #start(String, Map)} does not let one run change them. */
    private static final Set<String> PLACEMENT = Set.of(ConfigKey.NODE_ID.key(), ConfigKey.PEERS.key(),
            ConfigKey.DATA_DIR.key(), ConfigKey.HTTP_PORT.key(), ConfigKey.JOIN.key(), ConfigKey.GRPC_BIND_HOST.key(),
            ConfigKey.HTTP_BIND_HOST.key());

    private final Path dir;
    private final Map<String, String> settings;
    private final List<NodeProcess> nodes;
    private final NodeLauncher launcher;

    private LocalCluster(Path dir, Map<String, String> settings, List<NodeProcess> nodes, NodeLauncher launcher) {
        this.dir = dir;
        this.settings = settings;
        this.nodes = nodes;
        this.launcher = launcher;
    }

    /**
     * This cluster with its nodes started as {@code dledger <command...> --set=...} instead of {@code dledger node}:
     * the Raft-layer benchmark runs its own node command on the same layout. Not saved in the cluster file.
     */
    public LocalCluster withNodeCommand(List<String> command) {
        return new LocalCluster(dir, settings, new ArrayList<>(nodes), new NodeLauncher(command));
    }

    /**
     * Lays out a new cluster of {@code size} nodes in {@code dir}. Ports: {@code basePort + i} for Raft,
     * {@code basePort + 100 + i} for gRPC and {@code basePort + 200 + i} for HTTP (metrics, health), or
     * free ports chosen by the system when basePort is 0.
     * {@code settings} are extra node settings (key=value) passed to every node.
     */
    public static LocalCluster create(Path dir, int size, int basePort, Map<String, String> settings) {
        if (size < 1 || size > 9) {
            throw new IllegalArgumentException("a local cluster has 1 to 9 nodes, not " + size);
        }
        if (basePort != 0 && (basePort < 1024 || basePort + 200 + size > 65535)) {
            throw new IllegalArgumentException("base port " + basePort + " leaves ports outside 1024..65535; "
                    + "use 0 for free ports");
        }
        List<NodeProcess> nodes = new ArrayList<>();
        PortAllocator ports = new PortAllocator(Set.of());
        for (int i = 1; i <= size; i++) {
            int[] chosen = basePort == 0 ? new int[] {ports.next(), ports.next(), ports.next()}
                    : PortLayout.ports(basePort, i);
            PeerSpec p = new PeerSpec("n" + i, "127.0.0.1", chosen[0], chosen[1]);
            Path data = dir.resolve(p.id()).toAbsolutePath();
            nodes.add(new NodeProcess(p, chosen[2], false, data, data.resolve("node.log"), 0, null));
        }
        return new LocalCluster(dir.toAbsolutePath(), absolutePaths(settings), nodes,
                new NodeLauncher(List.of("node")));
    }

    /**
     * {@code settings} with the values that name files made absolute against this process's directory: the cluster
     * keeps them, and later commands may run elsewhere.
     */
    static Map<String, String> absolutePaths(Map<String, String> settings) {
        Map<String, String> out = new LinkedHashMap<>();
        settings.forEach((key, value) -> out.put(key, ConfigKey.byKey(key).filter(ConfigKey::isPath).isPresent()
                && !value.isBlank() ? Path.of(value).toAbsolutePath().toString() : value));
        return out;
    }

    public Path dir() {
        return dir;
    }

    public List<NodeProcess> nodes() {
        return List.copyOf(nodes);
    }

    public NodeProcess node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + id + " in " + dir + " (nodes: "
                        + nodes.stream().map(NodeProcess::id).toList() + ")"));
    }

    /** The settings every node starts with (key=value), before its own. */
    public Map<String, String> settings() {
        return Map.copyOf(settings);
    }

    /** Comma-separated gRPC addresses, for clients. */
    public String seeds() {
        return nodes.stream().map(NodeProcess::grpcAddress).collect(Collectors.joining(","));
    }

    public String peers() {
        return nodes.stream().map(n -> n.peer().toString()).collect(Collectors.joining(","));
    }

    /**
     * Lays out one more node that starts outside the Raft group ({@code join=true}) and waits to be added with
     * {@code AdminClient.addNode}. Not started yet. Its id is new, also to the data directories of removed nodes
     * left on disk; its ports follow the cluster's base-port layout when the cluster has one, else free ports.
     */
    public NodeProcess addNode() {
        int next = nodes.stream().mapToInt(n -> Integer.parseInt(n.id().substring(1))).max().orElse(0) + 1;
        while (Files.exists(dir.resolve("n" + next))) {
            next++; // a removed node's data stays on disk: a new node starts empty, under a fresh id
        }
        int[] chosen = PortLayout.basePortLayout(nodes, next);
        if (chosen == null) {
            PortAllocator ports = new PortAllocator(nodes.stream().flatMap(n -> Stream.of(
                    n.peer().raftPort(), n.peer().grpcPort(), n.httpPort())).collect(Collectors.toSet()));
            chosen = new int[] {ports.next(), ports.next(), ports.next()};
        }
        PeerSpec p = new PeerSpec("n" + next, "127.0.0.1", chosen[0], chosen[1]);
        Path data = dir.resolve(p.id());
        NodeProcess n = new NodeProcess(p, chosen[2], true, data, data.resolve("node.log"), 0, null);
        nodes.add(n);
        save();
        return n;
    }

    /** Forgets a node (after it was removed from the Raft group and stopped); its data stays on disk. */
    public void forget(String id) {
        nodes.remove(node(id));
        save();
    }

    /**
     * Starts every node that is not running; returns the ids it started. Starts none when a port of one of them is
     * taken (another cluster or program listens on it): a node that came up beside another cluster's nodes on
     * the same ports would disturb that cluster's elections.
     */
    public List<String> startAll() {
        List<NodeProcess> toStart = nodes.stream().filter(n -> !n.alive()).toList();
        List<String> taken = new ArrayList<>();
        toStart.forEach(n -> taken.addAll(PortLayout.takenPorts(n)));
        if (!taken.isEmpty()) {
            throw new IllegalStateException("no node started: " + String.join(", ", taken) + " in use (another "
                    + "cluster or program listens there); stop it, or lay out this cluster on other ports (a new "
                    + "directory with 'cluster up --base-port N', or --base-port 0 for free ports)");
        }
        List<String> started = new ArrayList<>();
        for (NodeProcess n : toStart) {
            launch(n.id(), Map.of());
            started.add(n.id());
        }
        return started;
    }

    /**
     * Checks the cluster's settings as its first node would at start (unknown keys, bad values), so a bad
     * {@code --set} is reported before any node starts. The nodes inherit this process's environment.
     */
    public void checkSettings() {
        checkSettings(nodeSettings(nodes.get(0)));
    }

    private static void checkSettings(Map<String, String> nodeSettings) {
        List<String> unknown = new ArrayList<>();
        Map<ConfigKey, String> flags = ConfigKey.fromSettings(nodeSettings, unknown);
        NodeConfigLoader.load(flags, System.getenv(), null, unknown); // fails with every problem at once
    }

    /** What node {@code n} is started with for one run: {@link #nodeSettings(NodeProcess)}, then {@code extra}. */
    private Map<String, String> nodeSettings(NodeProcess n, Map<String, String> extra) {
        Map<String, String> out = nodeSettings(n);
        out.putAll(extra);
        return out;
    }

    /** What node {@code n} is started with: the cluster's settings, then its own (which win). */
    private Map<String, String> nodeSettings(NodeProcess n) {
        Map<String, String> out = new LinkedHashMap<>(settings);
        out.put(ConfigKey.NODE_ID.key(), n.id());
        out.put(ConfigKey.PEERS.key(), peers());
        out.put(ConfigKey.DATA_DIR.key(), n.dataDir().toString());
        out.put(ConfigKey.HTTP_PORT.key(), Integer.toString(n.httpPort()));
        if (n.joins()) {
            out.put(ConfigKey.JOIN.key(), "true");
        }
        return out;
    }

    /**
     * Starts one node as a separate JVM on this JVM's classpath (through {@link NodeLauncher}); its output goes to
     * its log file.
     */
    public NodeProcess start(String id) {
        return start(id, Map.of());
    }

    /**
     * Starts one node with {@code extraSettings} over the cluster's, for this run of the node only: they are not
     * saved, and a later {@link #start(String)} starts it with the cluster's settings again. For a node that must
     * differ from the others for a while (a smaller disk allowance, a different log level; {@code cluster restart
     * --set}). The settings that place the node in the cluster (its id, peers, directory, ports) cannot be changed.
     */
    public NodeProcess start(String id, Map<String, String> extraSettings) {
        NodeProcess n = node(id);
        requireRunSettings(extraSettings);
        if (n.alive()) {
            throw new IllegalStateException("node " + id + " already runs as pid " + n.pid());
        }
        List<String> taken = PortLayout.takenPorts(n); // else it would only exit, its reason in its log
        if (!taken.isEmpty()) {
            throw new IllegalStateException(id + " not started: " + String.join(", ", taken) + " in use (another "
                    + "cluster or program listens there); stop it first");
        }
        return launch(id, extraSettings);
    }

    /** Starts node {@code id}, whose ports were checked, with {@code extraSettings} for this run. */
    private NodeProcess launch(String id, Map<String, String> extraSettings) {
        NodeProcess n = node(id);
        StopOnExit.requireNotEnding("node " + id); // it would outlive this JVM: the hooks may have looked
        Map<String, String> runSettings = nodeSettings(n, absolutePaths(extraSettings));
        try {
            Process p = launcher.launch(n, runSettings);
            NodeProcess started = n.withProcess(p.pid(), p.info().startInstant().orElse(Instant.now()));
            nodes.set(nodes.indexOf(n), started);
            save();
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + id, e);
        }
    }

    /**
     * {@link #stop} then {@link #start(String, Map)}; settings the node could not start with (an unknown key, a bad
     * value, a placement setting) fail before it is stopped.
     */
    public NodeProcess restart(String id, Duration grace, Map<String, String> extraSettings) {
        requireRunSettings(extraSettings);
        checkSettings(nodeSettings(node(id), extraSettings));
        stop(id, grace);
        return start(id, extraSettings);
    }

    private static void requireRunSettings(Map<String, String> extraSettings) {
        for (String key : extraSettings.keySet()) {
            if (PLACEMENT.contains(key)) {
                throw new IllegalArgumentException(key + " cannot differ for one run of a node: it places the node "
                        + "in the cluster");
            }
        }
    }

    /** {@code kill -9}: the node gets no chance to clean up. Returns once the process is gone. */
    public void kill(String id) {
        node(id).kill();
    }

    /** SIGTERM, then SIGKILL if the node has not stopped within {@code grace}. */
    public void stop(String id, Duration grace) {
        node(id).stop(grace);
    }

    /** Stops every node this cluster started (SIGTERM, then SIGKILL after {@code grace}). */
    public void stopAll(Duration grace) {
        nodes.forEach(n -> n.handle().ifPresent(ProcessHandle::destroy));
        for (NodeProcess n : nodes) {
            stop(n.id(), grace);
        }
    }

    /** Writes the cluster's state file. */
    public void save() {
        ClusterStateFile.write(dir, settings, nodes);
    }

    /** Reads a cluster laid out earlier (by another process), or fails when there is none. */
    public static LocalCluster load(Path dir) {
        ClusterStateFile.Contents c = ClusterStateFile.read(dir);
        return new LocalCluster(dir.toAbsolutePath(), c.settings(), c.nodes(), new NodeLauncher(List.of("node")));
    }

    /** Where {@code dledger cluster up} keeps its cluster by default: {@code $DLEDGER_HOME/cluster}. */
    public static Path defaultDir() {
        String home = System.getenv("DLEDGER_HOME");
        return Path.of(home == null || home.isBlank() ? ".dledger" : home, "cluster").toAbsolutePath().normalize();
    }

    public static boolean exists(Path dir) {
        return Files.exists(dir.resolve(STATE_FILE));
    }

    /**
     * Why {@code dir} cannot take a new cluster, or {@code null} when it can: it does not exist or is an empty
     * directory. A directory with other files is refused, as a cluster's directory is deleted whole (purge, the demo).
     */
    public static String unfitForNewCluster(Path dir) {
        if (!Files.exists(dir)) {
            return null;
        }
        if (!Files.isDirectory(dir)) {
            return dir + " is not a directory";
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty() ? null : dir + " is not empty and holds no local cluster (no "
                    + STATE_FILE + "): give a new or empty directory";
        } catch (IOException e) {
            return "cannot read " + dir + ": " + e.getMessage();
        }
    }
}
