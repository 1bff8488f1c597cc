package io.dledger.broker.bench;

import io.dledger.broker.config.ConfigException;
import io.dledger.broker.local.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks made before a benchmark starts a local cluster of its own ({@code --local}, {@code bench raft}): that its
 * nodes accept the {@code --set} settings, and whether its directory is on tmpfs, where figures would mislead.
 * Stateless.
 */
final class LocalClusterChecks {
    private LocalClusterChecks() {
    }

    /** Whether every node of {@code cluster} would accept the --set settings; says why not on stderr. */
    static boolean settingsValid(LocalCluster cluster) {
        try {
            cluster.checkSettings();
            return true;
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return false;
        }
    }

    /** On tmpfs an fdatasync costs nothing, which no disk matches: such figures would mislead. */
    static void warnIfInMemory(Path dir) {
        try {
            if (Files.getFileStore(dir).type().equals("tmpfs")) {
                System.out.println("# WARNING: " + dir + " is on tmpfs (memory): the nodes' fsyncs cost nothing "
                        + "there; give --local-dir on a disk for figures that mean something");
            }
        } catch (IOException e) {
            // unknown file system: nothing to warn about
        }
    }
}
