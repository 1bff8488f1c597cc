package io.dledger.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import io.dledger.broker.readroute.ReadRouteConfig;

/**
 * Resolves a {@link NodeConfig} from a properties file, the environment and command line flags (in
 * rising precedence), and validates it, reporting every problem at once.
 */
public final class NodeConfigLoader {
    /**
     * Largest {@code message.max.bytes}: a store record holds at most {@code RecordCodec.MAX_RECORD_SIZE} (64 MiB)
     * and a message's key, tags, properties (bounded by RequestValidator) and header take up to about 140 KiB
     * besides its body; 1 MiB is kept for them.
     */
    public static final int MAX_MESSAGE_BYTES = 63 * 1024 * 1024;

    private NodeConfigLoader() {
    }

    /**
     * @param flags  values given on the command line, by key
     * @param env    the process environment (only {@code DLEDGER_*} variables are read)
     * @param file   optional properties file
     */
    public static NodeConfig load(Map<ConfigKey, String> flags, Map<String, String> env, Path file) {
        return load(flags, env, file, List.of());
    }

    /** As above, reporting {@code earlierProblems} (unknown setting names) first, with every other problem. */
    public static NodeConfig load(Map<ConfigKey, String> flags, Map<String, String> env, Path file,
                                  List<String> earlierProblems) {
        Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
        List<String> problems = new ArrayList<>(earlierProblems);
        for (ConfigKey k : ConfigKey.values()) {
            if (k.defaultValue() != null) {
                values.put(k, k.defaultValue());
            }
        }
        if (file != null) {
            readFile(file, values, problems);
        }
        for (ConfigKey k : ConfigKey.values()) {
            String v = env.get(k.envName());
            if (v != null && !v.isBlank()) {
                values.put(k, v.trim());
            }
        }
        flags.forEach((k, v) -> {
            if (v != null) {
                values.put(k, v.trim());
            }
        });
        return validate(values, problems);
    }

    private static void readFile(Path file, Map<ConfigKey, String> values, List<String> problems) {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            props.load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": "
                    + ConfigException.reason(e));
        }
        Set<String> known = new HashSet<>();
        for (ConfigKey k : ConfigKey.values()) {
            known.add(k.key());
            String v = props.getProperty(k.key());
            if (v != null) {
                values.put(k, v.trim());
            }
        }
        for (String name : props.stringPropertyNames()) {
            if (!known.contains(name)) {
                problems.add("unknown setting '" + name + "' in " + file + ConfigKey.didYouMean(name));
            }
        }
    }

    private static NodeConfig validate(Map<ConfigKey, String> v, List<String> problems) {
        String nodeId = v.get(ConfigKey.NODE_ID);
        if (nodeId == null || nodeId.isBlank()) {
            problems.add("node id is required (" + ConfigKey.NODE_ID.flag() + ", " + ConfigKey.NODE_ID.envName() + ")");
        } else if (!PeerSpec.ID.matcher(nodeId).matches()) {
            problems.add("node id '" + nodeId + "' may only use letters, digits, '_', '.', '-'");
        }
        List<PeerSpec> peers = List.of();
        String peerList = v.get(ConfigKey.PEERS);
        if (peerList == null || peerList.isBlank()) {
            problems.add("peers are required (" + ConfigKey.PEERS.flag() + " id=host:raftPort:grpcPort,...)");
        } else {
            peers = PeerSpec.parseList(peerList, problems);
            checkPeers(peers, nodeId, problems);
        }
        Ints ints = new Ints(v, problems);
        int electionTimeout = ints.get(ConfigKey.ELECTION_TIMEOUT_MS, 100, 60_000);
        int httpPort = ints.get(ConfigKey.HTTP_PORT, 0, 65535);
        int transferMs = ints.get(ConfigKey.SHUTDOWN_TRANSFER_MS, 0, 600_000);
        long retentionMs = ints.getLong(ConfigKey.RETENTION_MS, 0, Long.MAX_VALUE);
        long retentionBytes = ints.getLong(ConfigKey.RETENTION_BYTES, 0, Long.MAX_VALUE);
        long retentionCheck = ints.getLong(ConfigKey.RETENTION_CHECK_MS, 100, 24L * 3600 * 1000);
        int electionDelay = ints.get(ConfigKey.ELECTION_MAX_DELAY_MS, 1, 60_000); // JRaft draws from [t, t + delay)
        int leaderExitTimeout = ints.get(ConfigKey.ELECTION_LEADER_EXIT_MS, 0, 60_000);
        int snapshotInterval = ints.get(ConfigKey.SNAPSHOT_INTERVAL_SECS, 0, 365 * 24 * 3600);
        long snapshotLogBytes = ints.getLong(ConfigKey.SNAPSHOT_LOG_BYTES, 0, 1L << 50);
        long segmentBytes = ints.getLong(ConfigKey.SEGMENT_BYTES, 64 * 1024, 1L << 40);
        long raftSegmentBytes = ints.getLong(ConfigKey.RAFT_LOG_SEGMENT_BYTES, 4096, 1L << 30);
        int indexEntries = ints.get(ConfigKey.INDEX_ENTRIES_PER_FILE, 16, 1 << 26);
        // a message is one store record: its body plus key, tags, properties and header must fit in a record
        int messageMax = ints.get(ConfigKey.MESSAGE_MAX_BYTES, 1, MAX_MESSAGE_BYTES);
        int batchMax = ints.get(ConfigKey.BATCH_MAX_BYTES, 1, 64 * 1024 * 1024);
        int batchMessages = ints.get(ConfigKey.BATCH_MAX_MESSAGES, 1, 1_000_000);
        int entryMax = ints.get(ConfigKey.ENTRY_MAX_BYTES, 1024, 64 * 1024 * 1024);
        int inflight = ints.get(ConfigKey.MAX_INFLIGHT_ENTRIES, 1, 1024);
        long queueMax = ints.getLong(ConfigKey.WRITE_QUEUE_MAX_BYTES, 1024, 1L << 40);
        int maxQueues = ints.get(ConfigKey.MAX_TOTAL_QUEUES, 1, 1_000_000);
        int maxCommitted = ints.get(ConfigKey.MAX_COMMITTED_OFFSETS, 1, 100_000_000);
        long minFree = ints.getLong(ConfigKey.STORE_MIN_FREE_BYTES, 0, Long.MAX_VALUE);
        boolean routeEnabled = bool(v.get(ConfigKey.READ_ROUTE_ENABLED), ConfigKey.READ_ROUTE_ENABLED, problems);
        long busyProduce = ints.getLong(ConfigKey.READ_BUSY_PRODUCE_RATE, 0, Long.MAX_VALUE);
        long busyPull = ints.getLong(ConfigKey.READ_BUSY_PULL_RATE, 0, Long.MAX_VALUE);
        long coldBytes = ints.getLong(ConfigKey.READ_COLD_BYTES, 0, Long.MAX_VALUE);
        long maxLag = ints.getLong(ConfigKey.READ_MAX_LAG_ENTRIES, 0, Long.MAX_VALUE);
        int pullMessages = ints.get(ConfigKey.PULL_MAX_MESSAGES, 1, 100_000);
        int pullBytes = ints.get(ConfigKey.PULL_MAX_BYTES, 1024, 256 * 1024 * 1024);
        int pullWaiting = ints.get(ConfigKey.PULL_MAX_WAITING, 1, 1_000_000);
        int readQueued = ints.get(ConfigKey.READ_MAX_QUEUED, 1, 1_000_000);
        int groupLagMax = ints.get(ConfigKey.METRICS_GROUP_LAG_MAX, 0, 10_000); // as group list: a scrape stays cheap
        boolean sync = bool(v.get(ConfigKey.RAFT_SYNC), ConfigKey.RAFT_SYNC, problems);
        boolean rpcInline = bool(v.get(ConfigKey.RAFT_RPC_INLINE), ConfigKey.RAFT_RPC_INLINE, problems);
        boolean raftTls = bool(v.get(ConfigKey.RAFT_TLS), ConfigKey.RAFT_TLS, problems);
        boolean httpTls = bool(v.get(ConfigKey.HTTP_TLS), ConfigKey.HTTP_TLS, problems);
        boolean httpAuth = bool(v.get(ConfigKey.HTTP_AUTH), ConfigKey.HTTP_AUTH, problems);
        boolean join = bool(v.get(ConfigKey.JOIN), ConfigKey.JOIN, problems);
        RaftLogFormat logFormat = RaftLogFormat.parse(v.get(ConfigKey.RAFT_LOG_STORAGE));
        if (logFormat == null) {
            problems.add(ConfigKey.RAFT_LOG_STORAGE.key() + " must be segments or rocksdb, not '"
                    + v.get(ConfigKey.RAFT_LOG_STORAGE) + "'");
        }
        if (messageMax > batchMax) {
            problems.add(ConfigKey.MESSAGE_MAX_BYTES.key() + " (" + messageMax + ") exceeds "
                    + ConfigKey.BATCH_MAX_BYTES.key() + " (" + batchMax + ")");
        }
        if (snapshotLogBytes > 0 && snapshotLogBytes < raftSegmentBytes) {
            problems.add(ConfigKey.SNAPSHOT_LOG_BYTES.key() + " (" + snapshotLogBytes + ") must be 0 or at least "
                    + ConfigKey.RAFT_LOG_SEGMENT_BYTES.key() + " (" + raftSegmentBytes + "): a snapshot frees whole "
                    + "segments");
        }
        if (segmentBytes < 2L * batchMax) {
            problems.add(ConfigKey.SEGMENT_BYTES.key() + " (" + segmentBytes + ") must be at least twice "
                    + ConfigKey.BATCH_MAX_BYTES.key() + " (" + batchMax + ")");
        }
        GrpcTls tls = tls(v, problems);
        Path raftCa = raftTlsCa(v, raftTls, tls, problems);
        Path tokensPath = null;
        String tokensSetting = v.get(ConfigKey.GRPC_AUTH_TOKENS_FILE);
        if (tokensSetting != null && !tokensSetting.isBlank()) {
            tokensPath = Path.of(tokensSetting).toAbsolutePath();
            try {
                AuthTokens.load(tokensPath); // a bad file stops the start here; the node reads it again when it changes
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        }
        if (httpTls && tls == null) {
            problems.add(needsTls(ConfigKey.HTTP_TLS, "the certificate and key the HTTP port presents"));
        }
        if (httpAuth && tokensPath == null) {
            problems.add(ConfigKey.HTTP_AUTH.key() + " needs " + ConfigKey.GRPC_AUTH_TOKENS_FILE.key()
                    + ": the tokens /metrics accepts");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        String dataDir = v.get(ConfigKey.DATA_DIR);
        Path data = Path.of(dataDir == null || dataDir.isBlank() ? "data/" + nodeId : dataDir).toAbsolutePath();
        int self = peers.stream().filter(p -> p.id().equals(nodeId)).mapToInt(PeerSpec::grpcPort).findFirst().orElse(0);
        if (httpPort == 0 && self + 100 > 65535) {
            throw new ConfigException("http.port: the default (gRPC port + 100) exceeds 65535; set http.port");
        }
        return new NodeConfig(nodeId, peers, data, v.get(ConfigKey.GRPC_BIND_HOST), join,
                httpPort == 0 ? self + 100 : httpPort, httpBindHost(v), httpTls, httpAuth,
                transferMs, retentionMs, retentionBytes, retentionCheck, electionTimeout, electionDelay,
                leaderExitTimeout, sync, rpcInline, logFormat, raftSegmentBytes, snapshotInterval, snapshotLogBytes,
                segmentBytes, indexEntries, messageMax, batchMax, batchMessages,
                entryMax, inflight, queueMax, maxQueues, maxCommitted, minFree,
                new ReadRouteConfig(routeEnabled, busyProduce, busyPull,
                        coldBytes == 0 ? defaultColdBytes() : coldBytes, maxLag), pullMessages, pullBytes,
                pullWaiting, readQueued, groupLagMax, tls, raftCa, tokensPath);
    }

    /** {@code http.bind.host}, else {@code grpc.bind.host}. */
    private static String httpBindHost(Map<ConfigKey, String> v) {
        String host = v.get(ConfigKey.HTTP_BIND_HOST);
        return host == null || host.isBlank() ? v.get(ConfigKey.GRPC_BIND_HOST) : host;
    }

    /** {@code grpc.tls.*}: none, or a certificate with its key (and the trusted certificates), each a readable file. */
    private static GrpcTls tls(Map<ConfigKey, String> v, List<String> problems) {
        String cert = v.get(ConfigKey.GRPC_TLS_CERT);
        String key = v.get(ConfigKey.GRPC_TLS_KEY);
        String ca = v.get(ConfigKey.GRPC_TLS_CA);
        boolean hasCert = cert != null && !cert.isBlank();
        boolean hasKey = key != null && !key.isBlank();
        if (!hasCert && !hasKey) {
            if (ca != null && !ca.isBlank()) {
                problems.add(ConfigKey.GRPC_TLS_CA.key() + " needs " + ConfigKey.GRPC_TLS_CERT.key() + " and "
                        + ConfigKey.GRPC_TLS_KEY.key());
            }
            return null;
        }
        if (!hasCert || !hasKey) {
            problems.add(ConfigKey.GRPC_TLS_CERT.key() + " and " + ConfigKey.GRPC_TLS_KEY.key() + " go together");
            return null;
        }
        GrpcTls tls = new GrpcTls(Path.of(cert).toAbsolutePath(), Path.of(key).toAbsolutePath(),
                Path.of(ca == null || ca.isBlank() ? cert : ca).toAbsolutePath());
        Map<ConfigKey, Path> files = new java.util.LinkedHashMap<>();
        files.put(ConfigKey.GRPC_TLS_CERT, tls.cert());
        files.put(ConfigKey.GRPC_TLS_KEY, tls.key());
        if (!tls.ca().equals(tls.cert())) {
            files.put(ConfigKey.GRPC_TLS_CA, tls.ca());
        }
        boolean readable = true;
        for (Map.Entry<ConfigKey, Path> f : files.entrySet()) {
            if (!Files.isReadable(f.getValue())) {
                problems.add(unreadable(f.getKey(), f.getValue()));
                readable = false;
            }
        }
        if (readable) {
            java.util.stream.Stream.of(PemFiles.certificatesProblem(ConfigKey.GRPC_TLS_CERT, tls.cert()),
                    PemFiles.privateKeyProblem(ConfigKey.GRPC_TLS_KEY, tls.key()),
                    tls.ca().equals(tls.cert()) ? null : PemFiles.certificatesProblem(ConfigKey.GRPC_TLS_CA, tls.ca()),
                    PemFiles.keyMismatch(tls.cert(), tls.key()))
                    .filter(java.util.Objects::nonNull).forEach(problems::add);
        }
        return tls;
    }

    /** The problem of {@code setting} given without the gRPC certificate and key, which it uses as {@code what}. */
    private static String needsTls(ConfigKey setting, String what) {
        return setting.key() + " needs " + ConfigKey.GRPC_TLS_CERT.key() + " and " + ConfigKey.GRPC_TLS_KEY.key()
                + ": " + what;
    }

    /** {@code raft.tls.ca} when {@code raft.tls} is on (default: the certificate itself), else null. */
    private static Path raftTlsCa(Map<ConfigKey, String> v, boolean raftTls, GrpcTls tls, List<String> problems) {
        String ca = v.get(ConfigKey.RAFT_TLS_CA);
        boolean hasCa = ca != null && !ca.isBlank();
        if (!raftTls) {
            if (hasCa) {
                problems.add(ConfigKey.RAFT_TLS_CA.key() + " needs " + ConfigKey.RAFT_TLS.key() + "=true");
            }
            return null;
        }
        if (tls == null) {
            problems.add(needsTls(ConfigKey.RAFT_TLS, "the certificate and key a node presents to the others"));
            return null;
        }
        if (!hasCa) {
            return tls.cert();
        }
        Path file = Path.of(ca).toAbsolutePath();
        if (!Files.isReadable(file)) {
            problems.add(unreadable(ConfigKey.RAFT_TLS_CA, file));
        } else {
            String problem = PemFiles.certificatesProblem(ConfigKey.RAFT_TLS_CA, file);
            if (problem != null) {
                problems.add(problem);
            }
        }
        return file;
    }

    private static String unreadable(ConfigKey setting, Path file) {
        return setting.key() + " " + file + (Files.exists(file) ? " cannot be read" : ": no such file");
    }

    /** RocketMQ's rule of thumb: data further back than 40% of the machine's memory has left the page cache. */
    private static long defaultColdBytes() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return (long) (os.getTotalMemorySize() * 0.4);
        }
        return 4L << 30;
    }

    private static void checkPeers(List<PeerSpec> peers, String nodeId, List<String> problems) {
        Set<String> ids = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        for (PeerSpec p : peers) {
            if (!ids.add(p.id())) {
                problems.add("peer id '" + p.id() + "' appears twice");
            }
            if (!addresses.add(p.raftAddress()) | !addresses.add(p.grpcAddress())) {
                problems.add("peer '" + p + "' reuses an address of another peer");
            }
        }
        if (nodeId != null && !nodeId.isBlank() && !ids.contains(nodeId) && !peers.isEmpty()) {
            problems.add("node id '" + nodeId + "' is not among the peers " + ids);
        }
    }

    private static boolean bool(String s, ConfigKey k, List<String> problems) {
        if ("true".equalsIgnoreCase(s) || "false".equalsIgnoreCase(s)) {
            return Boolean.parseBoolean(s);
        }
        problems.add(k.key() + " must be true or false, not '" + s + "'");
        return false; // never used: the problem fails the load
    }

    /** Parses bounded numbers, recording problems instead of failing on the first. */
    private record Ints(Map<ConfigKey, String> values, List<String> problems) {
        int get(ConfigKey k, int min, int max) {
            return (int) getLong(k, min, max);
        }

        long getLong(ConfigKey k, long min, long max) {
            String s = values.get(k);
            try {
                long n = Long.parseLong(s.trim().replace("_", ""));
                if (n < min || n > max) {
                    problems.add(k.key() + " must be between " + min + " and " + max + ", not " + n);
                }
                return n;
            } catch (NumberFormatException e) {
                problems.add(k.key() + " must be a whole number, not '" + s + "'");
                return min;
            }
        }
    }
}
