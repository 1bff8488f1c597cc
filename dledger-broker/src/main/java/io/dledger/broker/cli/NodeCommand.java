package io.dledger.broker.cli;

import io.dledger.broker.BrokerServer;
import io.dledger.broker.config.ConfigException;
import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.config.NodeConfigLoader;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dledger node}: runs one broker node in the foreground until SIGTERM or SIGINT. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run one broker node in the foreground (what scripts and containers use).",
        footer = {"", "Every setting can also come from a properties file (--config), an environment variable "
                + "(DLEDGER_<KEY>, e.g. DLEDGER_NODE_ID) or --set key=value. Keys:"})
final class NodeCommand implements Callable<Integer> {
    @Option(names = "--config", description = "properties file with settings")
    Path configFile;

    @Option(names = "--node-id", description = "this node's id (one of the ids in --peers)")
    String nodeId;

    @Option(names = "--peers", description = "the Raft group: id=host:raftPort:grpcPort,...")
    String peers;

    @Option(names = "--data-dir", description = "data directory (default ./data/<node-id>)")
    String dataDir;

    @Option(names = "--election-timeout-ms", description = "Raft election timeout (default 500)")
    String electionTimeout;

    @Option(names = "--set", description = "any setting as key=value (repeatable)")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        List<String> unknown = new ArrayList<>();
        Map<ConfigKey, String> flags = flags(unknown);
        NodeConfig config;
        try {
            config = NodeConfigLoader.load(flags, System.getenv(), configFile, unknown);
        } catch (ConfigException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        BrokerServer server = BrokerServer.start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }

    private Map<ConfigKey, String> flags(List<String> unknown) {
        Map<ConfigKey, String> flags = ConfigKey.fromSettings(settings, unknown);
        putIfSet(flags, ConfigKey.NODE_ID, nodeId);
        putIfSet(flags, ConfigKey.PEERS, peers);
        putIfSet(flags, ConfigKey.DATA_DIR, dataDir);
        putIfSet(flags, ConfigKey.ELECTION_TIMEOUT_MS, electionTimeout);
        return flags;
    }

    private static void putIfSet(Map<ConfigKey, String> flags, ConfigKey key, String value) {
        if (value != null) {
            flags.put(key, value);
        }
    }
}
