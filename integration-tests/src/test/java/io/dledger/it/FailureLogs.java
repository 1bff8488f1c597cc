package io.dledger.it;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Prints the tail of every node's log when a cluster test fails, so CI output explains the failure. */
final class FailureLogs implements TestWatcher {
    private final Supplier<TestCluster> cluster;

    FailureLogs(Supplier<TestCluster> cluster) {
        this.cluster = cluster;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        TestCluster c = cluster.get();
        if (c != null) {
            System.err.println("===== node logs after failure of " + context.getDisplayName() + "\n" + c.logTails(60));
        }
    }
}
