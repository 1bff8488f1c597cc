package io.dledger.broker.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.SingleNodeConfig;
import com.alipay.sofa.jraft.option.RaftOptions;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class RaftGroupSetupTest {
    @TempDir
    Path dir;

    /** Without the log's sync a node may lose entries in a power loss, never its term and vote. */
    @Test
    void theTermAndVoteAreSyncedWhetherOrNotTheLogIs() {
        RaftOptions synced = RaftGroupSetup.raftOptions(SingleNodeConfig.in(dir, Map.of()));
        assertThat(synced.isSync()).isTrue();
        assertThat(synced.isSyncMeta()).isTrue();
        RaftOptions unsynced = RaftGroupSetup.raftOptions(SingleNodeConfig.in(dir, Map.of(ConfigKey.RAFT_SYNC,
                "false")));
        assertThat(unsynced.isSync()).isFalse();
        assertThat(unsynced.isSyncMeta()).isTrue();
    }
}
