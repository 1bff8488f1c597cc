package io.dledger.broker.local;

import io.dledger.broker.config.PeerSpec;
import io.dledger.broker.disk.DurableFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A local cluster's state file ({@value #NAME}, Java properties): {@code nodes} (count), {@code setting.<key>}
 * for each node setting, and per node {@code i}: {@code node.<i>.peer} ({@code id=host:raftPort:grpcPort}),
 * {@code .pid} (0: not started), {@code .http}, {@code .joins}, {@code .started} (the process's start instant,
 * which tells a live node from another process that reuses its pid). Stateless.
 */
final class ClusterStateFile {
    static final String NAME = "cluster.properties";

    /** What the file holds. */
    record Contents(Map<String, String> settings, List<NodeProcess> nodes) {
    }

    private ClusterStateFile() {
    }

    /** Writes the state file of the cluster in {@code dir}. */
    static void write(Path dir, Map<String, String> settings, List<NodeProcess> nodes) {
        Properties p = new Properties();
        p.setProperty("nodes", Integer.toString(nodes.size()));
        settings.forEach((k, v) -> p.setProperty("setting." + k, v));
        for (int i = 0; i < nodes.size(); i++) {
            NodeProcess n = nodes.get(i);
            p.setProperty("node." + i + ".peer", n.peer().toString());
            p.setProperty("node." + i + ".pid", Long.toString(n.pid()));
            p.setProperty("node." + i + ".http", Integer.toString(n.httpPort()));
            p.setProperty("node." + i + ".joins", Boolean.toString(n.joins()));
            p.setProperty("node." + i + ".started", n.startedAt() == null ? "" : n.startedAt().toString());
        }
        try {
            Files.createDirectories(dir);
            StringWriter w = new StringWriter();
            p.store(w, "dledger local cluster: processes started by 'dledger cluster up'");
            // whole or not at all: other processes read it while this one starts nodes (status, a benchmark's nodes)
            DurableFiles.replace(dir.resolve(NAME), w.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(NAME), e);
        }
    }

    /** Reads the state file in {@code dir} (written earlier, maybe by another process), or fails without one. */
    static Contents read(Path dir) {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            throw new IllegalStateException("no local cluster in " + dir.toAbsolutePath() + " (no " + NAME + ")");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        try {
            return fromProperties(dir, p);
        } catch (RuntimeException e) {
            throw new IllegalStateException(file + " is damaged (" + e.getMessage() + "); stop any nodes by hand "
                    + "and delete " + dir, e);
        }
    }

    private static Contents fromProperties(Path dir, Properties p) {
        Map<String, String> settings = new LinkedHashMap<>();
        p.stringPropertyNames().stream().filter(k -> k.startsWith("setting.")).sorted()
                .forEach(k -> settings.put(k.substring("setting.".length()), p.getProperty(k)));
        List<NodeProcess> nodes = new ArrayList<>();
        int size = Integer.parseInt(p.getProperty("nodes"));
        for (int i = 0; i < size; i++) {
            List<String> problems = new ArrayList<>();
            List<PeerSpec> parsed = PeerSpec.parseList(p.getProperty("node." + i + ".peer", ""), problems);
            if (parsed.size() != 1) {
                throw new IllegalArgumentException("node " + i + ": " + problems);
            }
            PeerSpec peer = parsed.get(0);
            String started = p.getProperty("node." + i + ".started", "");
            Path data = dir.toAbsolutePath().resolve(peer.id());
            int http = Integer.parseInt(p.getProperty("node." + i + ".http", Integer.toString(peer.grpcPort() + 100)));
            boolean joins = Boolean.parseBoolean(p.getProperty("node." + i + ".joins", "false"));
            nodes.add(new NodeProcess(peer, http, joins, data, data.resolve("node.log"),
                    Long.parseLong(p.getProperty("node." + i + ".pid", "0")),
                    started.isEmpty() ? null : Instant.parse(started)));
        }
        return new Contents(settings, nodes);
    }
}
