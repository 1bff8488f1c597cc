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

    /** A taken Raft port is found before JRaft loads the node (which would elect itself, alone, and record a term). */
    @Test
    void aTakenRaftPortFailsTheStartBeforeTheNodeIsLoaded() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            var config = SingleNodeConfig.in(dir, Map.of(ConfigKey.PEERS, "n1=127.0.0.1:" + taken.getLocalPort()
                    + ":9001"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> RaftGroupSetup.start(config, null,
                    config.peers(), new com.alipay.sofa.jraft.core.StateMachineAdapter() {
                        @Override
                        public void onApply(com.alipay.sofa.jraft.Iterator iter) {
                        }
                    }, null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("cannot start the Raft endpoint: port " + taken.getLocalPort()
                            + " is in use");
            assertThat(config.raftDir()).as("nothing written").doesNotExist();
        }
    }
}
