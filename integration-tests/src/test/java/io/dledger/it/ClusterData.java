package io.dledger.it;

import io.dledger.broker.store.FileTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a test leaves of a cluster it stopped: each node's log (and the cluster's state file), for reading after a
 * failure, but not the nodes' data directories. Those hold preallocated 64 MiB Raft log segments, some 400 MB per
 * cluster, which made a few runs of the suite fill a disk.
 */
final class ClusterData {
    private ClusterData() {
    }

    /**
     * Deletes every directory inside each node directory of {@code clusterDir}; files (logs) stay. A failure to
     * delete is printed, not thrown: cleaning up must not fail a test or hide its output.
     */
    static void dropKeepingLogs(Path clusterDir) {
        if (!Files.isDirectory(clusterDir)) {
            return;
        }
        try {
            for (Path node : list(clusterDir)) {
                if (Files.isDirectory(node)) {
                    for (Path inside : list(node)) {
                        if (Files.isDirectory(inside)) {
                            FileTree.deleteRecursively(inside);
                        }
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not remove the data of " + clusterDir + ": " + e);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
