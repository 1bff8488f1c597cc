package io.dledger.broker.cli;

import io.dledger.broker.local.LocalClients;
import io.dledger.broker.local.LocalCluster;
import io.dledger.client.ClusterView;
import io.dledger.client.DLedgerClient;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every client command shares: where the cluster is, and how to connect to it (TLS, token). */
final class ClientOptions {
    static final String DEFAULT_SERVERS = "127.0.0.1:9101,127.0.0.1:9102,127.0.0.1:9103";

    @Option(names = {"-s", "--servers"}, paramLabel = "HOST:PORT,...",
            description = "gRPC addresses of some or all nodes (default: $DLEDGER_SERVERS, else the local cluster "
                    + "started by 'dledger cluster up', else " + DEFAULT_SERVERS + ")")
    String servers;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "give up on an operation after this long, retries included (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Mixin
    CredentialOptions credentials = new CredentialOptions();

    /** The connection options given on the command line, as a follow-up command takes them (empty when none). */
    String asFlags() {
        return (servers == null ? "" : " -s " + LocalClients.shellWord(servers)) + credentials.asFlags();
    }

    String resolveServers() {
        if (servers != null && servers.isBlank()) { // an unset variable in a script: say so, do not go elsewhere
            throw new IllegalArgumentException("--servers is empty; give host:port,... or leave it out");
        }
        return servers != null ? servers : defaultServers();
    }

    /** Where a client command goes without {@code --servers}: $DLEDGER_SERVERS, the local cluster, or the default. */
    static String defaultServers() {
        String env = System.getenv("DLEDGER_SERVERS");
        if (env != null && !env.isBlank()) {
            return env;
        }
        LocalCluster local = defaultLocalCluster();
        return local != null ? local.seeds() : DEFAULT_SERVERS;
    }

    /** The local cluster of 'dledger cluster up', when there is one and neither --servers nor $DLEDGER_SERVERS. */
    private LocalCluster localClusterInUse() {
        String env = System.getenv("DLEDGER_SERVERS");
        return servers == null && (env == null || env.isBlank()) ? defaultLocalCluster() : null;
    }

    private static LocalCluster defaultLocalCluster() {
        Path local = ClusterCommand.defaultDir();
        return LocalCluster.exists(local) ? LocalCluster.load(local) : null;
    }

    /** A client, whether or not any node answers (for commands that report reachability themselves). */
    DLedgerClient connectUnchecked() {
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("--timeout must be at least 1 (seconds), not " + timeoutSeconds);
        }
        return builder().operationTimeout(Duration.ofSeconds(timeoutSeconds))
                .requestTimeout(Duration.ofSeconds(Math.min(5, timeoutSeconds))).build();
    }

    /**
     * A client builder for these servers, with this TLS setting and token; timeouts left to the caller. Aimed at the
     * local cluster, it trusts the certificate and sends the token its nodes were started with, unless told otherwise.
     */
    DLedgerClient.Builder builder() {
        LocalCluster local = localClusterInUse();
        return credentials.applyTo(local == null ? DLedgerClient.builder().seeds(resolveServers())
                : LocalClients.builder(local));
    }

    /** What a command says while it waits for a leader that {@code view} lacks. */
    static String noLeaderNote(ClusterView view, int timeoutSeconds) {
        return "note: " + noLeader(view) + "; waiting up to " + timeoutSeconds + " s (--timeout) for one";
    }

    /** "no leader now (1 of 3 nodes answer: fewer than a majority, ...)". */
    static String noLeader(ClusterView view) {
        long answering = view.nodes().stream().filter(io.dledger.client.NodeView::reachable).count();
        int nodes = view.nodes().size();
        return "no leader now (" + answering + " of " + nodes + " nodes answer"
                + (answering <= nodes / 2 ? ": fewer than a majority, none can be elected until more run" : "") + ")";
    }

    /**
     * A client after asking every seed once: when none answers, fails at once with the addresses tried instead of
     * retrying until {@code --timeout} (a wrong address or a stopped cluster is not a failover to wait out).
     */
    DLedgerClient connect() {
        DLedgerClient c = connectUnchecked();
        try {
            if (c.admin().leaderId().isPresent()) { // done once a majority names a leader: no wait for a dead node
                return c;
            }
            ClusterView view = c.admin().describeCluster(); // no leader: an election, or nobody there?
            ClusterTable.requireSomeReachable(view);
            if (view.leaderId() == null) { // the command now waits for one, up to --timeout: say why it is quiet
                System.err.println(noLeaderNote(view, timeoutSeconds));
            }
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }
}
