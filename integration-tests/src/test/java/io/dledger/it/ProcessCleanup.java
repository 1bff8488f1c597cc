package io.dledger.it;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Last line of defence against leaked node processes: a JVM shutdown hook kills every cluster a test
 * started and did not close (a test that timed out, a crashed test JVM excepted).
 */
final class ProcessCleanup {
    private static final Set<TestCluster> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(c ->
                c.local().nodes().forEach(n -> n.handle().ifPresent(ProcessHandle::destroyForcibly))),
                "kill-test-clusters"));
    }

    private ProcessCleanup() {
    }

    static void register(TestCluster c) {
        OPEN.add(c);
    }

    static void unregister(TestCluster c) {
        OPEN.remove(c);
    }

}
