package io.dledger.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.NodeConfig;
import io.dledger.broker.config.NodeConfigLoader;
import io.dledger.broker.store.StoreConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class BrokerServerTest {
    private static final String PEERS = "n1=127.0.0.1:7001:9001,n2=127.0.0.1:7002:9002,n3=127.0.0.1:7003:9003";

    @Test
    void theStoreTakesItsSettingsFromTheNodesAndReadsColdDataPositionally(@TempDir Path dir) {
        NodeConfig node = NodeConfigLoader.load(Map.of(ConfigKey.NODE_ID, "n1", ConfigKey.PEERS, PEERS,
                ConfigKey.DATA_DIR, dir.toString(), ConfigKey.SEGMENT_BYTES, "33554432",
                ConfigKey.INDEX_ENTRIES_PER_FILE, "4096", ConfigKey.READ_COLD_BYTES, "12345678"), Map.of(), null);
        StoreConfig store = BrokerServer.storeConfig(node);
        assertThat(store.dir()).isEqualTo(node.storeDir());
        assertThat(store.segmentBytes()).isEqualTo(33554432);
        assertThat(store.indexEntriesPerFile()).isEqualTo(4096);
        assertThat(store.mappedReadBytes()).isEqualTo(12345678);

        NodeConfig defaults = NodeConfigLoader.load(Map.of(ConfigKey.NODE_ID, "n1", ConfigKey.PEERS, PEERS,
                ConfigKey.DATA_DIR, dir.toString()), Map.of(), null);
        assertThat(BrokerServer.storeConfig(defaults).mappedReadBytes())
                .as("the router's default (40% of RAM): what it sends to followers as cold is read positionally")
                .isEqualTo(defaults.readRoute().coldBytes()).isPositive();
    }
}
