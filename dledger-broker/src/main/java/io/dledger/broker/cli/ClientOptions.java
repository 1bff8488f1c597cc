package io.dledger.broker.cli;

import io.dledger.broker.local.LocalCluster;
import io.dledger.client.DLedgerClient;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options every client command shares: where the cluster is. */
final class ClientOptions {
    static final String DEFAULT_SERVERS = "127.0.0.1:9101,127.0.0.1:9102,127.0.0.1:9103";

    @Option(names = {"-s", "--servers"}, paramLabel = "HOST:PORT,...",
            description = "gRPC addresses of some or all nodes (default: $DLEDGER_SERVERS, else the local cluster "
                    + "started by 'dledger cluster up', else " + DEFAULT_SERVERS + ")")
    String servers;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "give up on an operation after this long, retries included (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    String resolveServers() {
        if (servers != null && !servers.isBlank()) {
            return servers;
        }
        String env = System.getenv("DLEDGER_SERVERS");
        if (env != null && !env.isBlank()) {
            return env;
        }
        Path local = ClusterCommand.defaultDir();
        if (LocalCluster.exists(local)) {
            return LocalCluster.load(local).seeds();
        }
        return DEFAULT_SERVERS;
    }

    DLedgerClient connect() {
        return DLedgerClient.builder().seeds(resolveServers()).operationTimeout(Duration.ofSeconds(timeoutSeconds))
                .requestTimeout(Duration.ofSeconds(Math.min(5, timeoutSeconds))).build();
    }
}
