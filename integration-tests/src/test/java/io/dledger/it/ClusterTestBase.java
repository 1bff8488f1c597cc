package io.dledger.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What every test on a {@link TestCluster} shares: the cluster a test starts into {@link #cluster}, the nodes' log
 * tails when it fails, and the cluster's stop after each test.
 */
abstract class ClusterTestBase {
    /** The test's cluster, once started; stopped after each test. */
    TestCluster cluster;

    @RegisterExtension
    final FailureLogs logs = new FailureLogs(() -> cluster);

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
