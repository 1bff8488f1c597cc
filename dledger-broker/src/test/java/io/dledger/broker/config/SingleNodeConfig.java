package io.dledger.broker.config;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/** Test settings: node n1 alone in its group (Raft port 7001, gRPC 9001), data under {@code dir/data}. */
public final class SingleNodeConfig {
    private SingleNodeConfig() {
    }

    /** The node's settings with {@code settings} laid over them, loaded as a node would (no environment). */
    public static NodeConfig in(Path dir, Map<ConfigKey, String> settings) {
        Map<ConfigKey, String> flags = new EnumMap<>(ConfigKey.class);
        flags.put(ConfigKey.NODE_ID, "n1");
        flags.put(ConfigKey.PEERS, "n1=127.0.0.1:7001:9001");
        flags.put(ConfigKey.DATA_DIR, dir.resolve("data").toString());
        flags.putAll(settings);
        return NodeConfigLoader.load(flags, Map.of(), null);
    }
}
