package io.dledger.broker.config;

import java.util.Locale;

/**
 * Every setting of a broker node. A setting can come from a properties file (key as written here),
 * an environment variable ({@link #envName()}, e.g. {@code DLEDGER_NODE_ID}) or a command line flag
 * ({@link #flag()}, e.g. {@code --node-id}); flags win over the environment, which wins over the file.
 */
public enum ConfigKey {
    NODE_ID("node.id", null, "this node's id; must be one of the ids in peers"),
    PEERS("peers", null, "the Raft group: id=host:raftPort:grpcPort,... (this node included)"),
    DATA_DIR("data.dir", null, "directory for the Raft log, snapshots and the message store "
            + "(default ./data/<node.id>)"),
    GRPC_BIND_HOST("grpc.bind.host", "0.0.0.0", "interface the gRPC front end listens on (its port comes from peers)"),
    GRPC_TLS_CERT("grpc.tls.cert", null, "PEM file of the certificate chain the gRPC front end (and, with raft.tls, "
            + "the Raft port) presents; set with "
            + "grpc.tls.key, the front end serves TLS only (clients: --tls-ca, DLedgerClient.Builder.tls)"),
    GRPC_TLS_KEY("grpc.tls.key", null, "PEM file of grpc.tls.cert's private key (PKCS#8, unencrypted); the three TLS "
            + "files are read again when they change"),
    GRPC_TLS_CA("grpc.tls.ca", null, "PEM file of the certificates this node trusts when it calls another node's gRPC "
            + "port (default: grpc.tls.cert itself, for a certificate every node shares)"),
    GRPC_AUTH_TOKENS_FILE("grpc.auth.tokens.file", null, "file of the tokens the gRPC front end accepts, one per line "
            + "('#' starts a comment), each optionally followed by its role (read, write, admin; default admin) and "
            + "the topics it may touch (topics=orders,billing-*; default every topic): "
            + "every call must carry one (authorization: Bearer TOKEN; clients: --token-file, "
            + "DLEDGER_TOKEN, DLedgerClient.Builder.token); a node presents the first to the others; read again when "
            + "it changes"),
    JOIN("join", "false", "start outside the Raft group and wait to be added (AdminClient.addNode, "
            + "or 'dledger cluster add-node' locally); for new nodes"),
    HTTP_PORT("http.port", "0", "port of /metrics and /health (0: the gRPC port + 100)"),
    HTTP_BIND_HOST("http.bind.host", null, "interface /metrics and /health listen on (default: grpc.bind.host; "
            + "127.0.0.1 keeps them to this machine, or to the container in Docker)"),
    HTTP_TLS("http.tls", "false", "/metrics and /health serve HTTPS only, presenting grpc.tls.cert (needs it and "
            + "grpc.tls.key)"),
    HTTP_AUTH("http.auth", "false", "/metrics answers only a request with a token of grpc.auth.tokens.file that holds "
            + "for every topic (Authorization: Bearer TOKEN); /health stays open"),
    SHUTDOWN_TRANSFER_MS("shutdown.transfer.ms", "5000", "on SIGTERM a leader hands leadership to a follower (with "
            + "disk space first, then the least behind) and waits this long for it"),
    RETENTION_MS("retention.ms", "604800000", "messages older than this are deleted, whole segments at a time "
            + "(0: keep forever)"),
    RETENTION_BYTES("retention.bytes", "0", "oldest segments are deleted while the log is larger than this "
            + "(0: no limit)"),
    RETENTION_CHECK_MS("retention.check.interval.ms", "60000", "how often the leader checks retention"),
    ELECTION_TIMEOUT_MS("election.timeout.ms", "500", "Raft election timeout; followers start an election after it"),
    ELECTION_MAX_DELAY_MS("election.max.delay.ms", "500", "random extra delay before an election, "
            + "to avoid split votes"),
    ELECTION_LEADER_EXIT_MS("election.leader.exit.timeout.ms", "50", "election timeout of a follower whose leader's "
            + "process is gone (a connection from it closed and its Raft port refuses connections), until a leader "
            + "is elected; the first follower by node id also takes a random delay of at most 100 ms (0: always the "
            + "normal timeouts)"),
    RAFT_SYNC("raft.sync", "true", "fsync the Raft log before acknowledging (false: an acknowledged message survives "
            + "process crashes but not a power loss; docs/operations.md)"),
    RAFT_RPC_INLINE("raft.rpc.inline", "true", "a follower handles AppendEntries requests, and every node reads Raft "
            + "responses, on the Raft transport's I/O threads: two thread hand-offs fewer per write (false: JRaft's "
            + "executor threads, read when the node starts)"),
    RAFT_TLS("raft.tls", "false", "the Raft port (node to node) speaks mutual TLS: a node presents grpc.tls.cert and "
            + "grpc.tls.key and accepts only peers whose certificate raft.tls.ca (default grpc.tls.cert) signs, in "
            + "both directions; needs grpc.tls.cert and grpc.tls.key, and every node of the group must set it alike"),
    RAFT_TLS_CA("raft.tls.ca", null, "PEM file of the certificates that admit a peer to the Raft port with raft.tls: a "
            + "peer whose certificate they sign is taken for a member, so name a CA that signs the nodes' certificates "
            + "alone (default: grpc.tls.cert itself, for a certificate every node shares); read again when it changes"),
    RAFT_LOG_STORAGE("raft.log.storage", "segments", "Raft log format for a new data directory: segments (preallocated "
            + "segment files) or rocksdb (JRaft's default); an existing log keeps the format it was written in"),
    RAFT_LOG_SEGMENT_BYTES("raft.log.segment.bytes", "67108864", "size of one Raft log segment file, preallocated "
            + "(raft.log.storage=segments); an entry larger than this gets a file of its own"),
    SNAPSHOT_INTERVAL_SECS("snapshot.interval.secs", "300", "a Raft snapshot is taken this often (0: only on request); "
            + "the Raft log is kept from the previous snapshot on"),
    SNAPSHOT_LOG_BYTES("snapshot.log.bytes", "2147483648", "a Raft snapshot is also taken once this many bytes were "
            + "appended to the node's Raft log since the last one this setting asked for (0: by interval only; else at "
            + "least raft.log.segment.bytes); keeps the log near one to two times this under heavy writes, and so its "
            + "replay after a restart"),
    SEGMENT_BYTES("store.segment.bytes", "134217728", "maximum size of one message log segment file"),
    INDEX_ENTRIES_PER_FILE("store.index.entries.per.file", "1048576", "entries per queue index file (12 bytes each)"),
    MESSAGE_MAX_BYTES("message.max.bytes", "4194304", "largest message body accepted"),
    BATCH_MAX_BYTES("batch.max.bytes", "8388608", "largest produce request accepted (all messages)"),
    BATCH_MAX_MESSAGES("batch.max.messages", "10000", "most messages in one produce request"),
    ENTRY_MAX_BYTES("raft.entry.max.bytes", "1048576", "the leader groups waiting requests into one Raft entry up to "
            + "this size"),
    MAX_INFLIGHT_ENTRIES("raft.max.inflight.entries", "4", "Raft entries the leader keeps in flight before it groups "
            + "further requests"),
    WRITE_QUEUE_MAX_BYTES("write.queue.max.bytes", "67108864", "requests waiting for a Raft entry beyond this are "
            + "rejected with BUSY"),
    MAX_TOTAL_QUEUES("topics.max.queues", "2048", "queues of all topics together (each keeps index files open)"),
    MAX_COMMITTED_OFFSETS("groups.max.committed.offsets", "1000000", "committed consumer offsets the cluster keeps, "
            + "one per group, topic and queue (every node holds them in memory and in each checkpoint); a commit "
            + "that would add more is refused with LIMIT_EXCEEDED"),
    STORE_MIN_FREE_BYTES("store.min.free.bytes", "1073741824", "the leader refuses produce requests and new topics "
            + "(STORAGE_FULL) while the file system holding data.dir has less usable space than this, or followers' "
            + "do (each against its own setting) and fewer than a majority of the nodes could store, so a full disk "
            + "stops writers with a clear error before a write to the Raft log or the store fails (0: this node's "
            + "disk is not checked)"),
    READ_ROUTE_ENABLED("read.route.enabled", "true", "pull responses suggest followers (leader busy, cold data) and "
            + "send consumers of lagging followers back"),
    READ_BUSY_PRODUCE_RATE("read.busy.produce.per.sec", "2000", "the leader counts as busy above this many produced "
            + "messages per second"),
    READ_BUSY_PULL_RATE("read.busy.pulls.per.sec", "500", "... or above this many pull requests per second"),
    READ_COLD_BYTES("read.cold.bytes", "0", "a pull this many log bytes behind the head is cold and goes to a "
            + "follower, and is read with positional reads rather than through the store's memory mappings (0: 40% "
            + "of RAM)"),
    READ_MAX_LAG_ENTRIES("read.max.lag.entries", "1000", "the leader suggests no follower further behind than this; a "
            + "follower further behind the leader's commit than this sends consumers to the leader"),
    PULL_MAX_MESSAGES("pull.max.messages", "1024", "most messages one pull returns"),
    PULL_MAX_BYTES("pull.max.bytes", "8388608", "about the most bytes one pull returns"),
    PULL_MAX_WAITING("pull.max.waiting", "10000", "most pulls waiting on this node at once (long polls); more are "
            + "refused with BUSY, which clients retry"),
    READ_MAX_QUEUED("read.max.queued", "1000", "most reads (pulls, digests) queued for this node's read threads; more "
            + "are refused with BUSY, which clients retry"),
    METRICS_GROUP_LAG_MAX("metrics.group.lag.max", "1000", "on the leader: most (group, topic) pairs exported as "
            + "dledger_group_lag_messages and dledger_group_members, the first in name order (0: none)");

    private final String key;
    private final String defaultValue;
    private final String description;

    ConfigKey(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** Whether the value names a file or directory (resolved against the directory the node starts in). */
    public boolean isPath() {
        return switch (this) {
            case DATA_DIR, GRPC_TLS_CERT, GRPC_TLS_KEY, GRPC_TLS_CA, RAFT_TLS_CA, GRPC_AUTH_TOKENS_FILE -> true;
            default -> false;
        };
    }

    /** The key named {@code name} (as in properties files and {@code --set}), if there is one. */
    public static java.util.Optional<ConfigKey> byKey(String name) {
        for (ConfigKey k : values()) {
            if (k.key.equals(name)) {
                return java.util.Optional.of(k);
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * {@code settings} (by key name, as {@code --set} gives them) by key; names that are no key go to
     * {@code unknown}.
     */
    public static java.util.Map<ConfigKey, String> fromSettings(java.util.Map<String, String> settings,
                                                               java.util.List<String> unknown) {
        java.util.Map<ConfigKey, String> out = new java.util.EnumMap<>(ConfigKey.class);
        settings.forEach((name, value) -> byKey(name).ifPresentOrElse(k -> out.put(k, value),
                () -> unknown.add("unknown setting '" + name + "' given with --set" + didYouMean(name))));
        return out;
    }

    /**
     * {@code " (did you mean x.y?)"} naming the key closest to {@code name}, an unknown setting name, when one is
     * close enough to be a likely misspelling (at most a third of its characters differ); else the empty string.
     */
    public static String didYouMean(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        ConfigKey best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (ConfigKey k : values()) {
            int d = editDistance(lower, k.key);
            if (d <= Math.max(1, k.key.length() / 3) && d < bestDistance) { // close enough for this key
                best = k;
                bestDistance = d;
            }
        }
        return best != null ? " (did you mean " + best.key + "?)" : "";
    }

    /** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b. */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    public String envName() {
        return "DLEDGER_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    public String flag() {
        return "--" + key.replace('.', '-');
    }
}
