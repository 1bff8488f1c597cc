package io.dledger.broker.store;

import io.dledger.broker.disk.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files of a store snapshot, laid out like the store itself: {@code log/...}, {@code index/...} and
 * {@code checkpoint}. Segments and index files are hard links (cheap, and a file's bytes below the
 * checkpoint's log position or queue offsets never change); the active segment and index files may grow
 * after the snapshot was taken, so installing a snapshot cuts them back to its checkpoint. Where a link cannot be
 * made the file is copied and the copy synced; the directories' names are synced too, in the snapshot before JRaft
 * publishes it ({@link #syncNames}) and in the store before the install marker goes, so a machine crash finds
 * either whole.
 */
final class StoreSnapshotFiles {
    private StoreSnapshotFiles() {
    }

    /** Links every file the checkpoint needs into {@code target}; returns their relative names. */
    static List<String> link(SegmentedLog log, Map<String, TopicQueues> topics, Checkpoint c, Path storeDir,
                             Path target) {
        List<String> names = new ArrayList<>();
        try {
            for (LogSegment s : log.segments()) {
                if (s.basePosition() < c.logPosition() || s.basePosition() == log.startPosition()) {
                    names.add(linkOne(storeDir, s.file(), target));
                }
            }
            for (Checkpoint.Topic t : c.topics()) {
                TopicQueues tq = topics.get(t.name());
                for (int q = 0; q < t.queues(); q++) {
                    for (Path f : tq.queue(q).files(t.nextOffsets()[q])) {
                        names.add(linkOne(storeDir, f, target));
                    }
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot link store files into snapshot " + target, e);
        }
        return names;
    }

    /**
     * Syncs the names in {@code target} and every directory below it: JRaft syncs the snapshot's own directory when
     * it publishes it, not the ones below, and their names must not vanish in a machine crash once the Raft log
     * behind the snapshot is gone. One sync per directory (a queue has one): not for the state machine thread.
     */
    static void syncNames(Path target) {
        try {
            DurableFiles.syncDirectoryTree(target);
        } catch (IOException e) {
            throw new StoreException("cannot sync the directories of snapshot " + target, e);
        }
    }

    private static String linkOne(Path storeDir, Path file, Path target) throws IOException {
        Path relative = storeDir.relativize(file);
        Path link = target.resolve(relative);
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        linkOrCopy(file, link);
        return relative.toString();
    }

    /**
     * Replaces the store's files with the snapshot's. Writes the install marker first (durably): until
     * the caller removes it, a restart treats the store as empty. Open channels on the old files stay
     * readable (the files are unlinked, not overwritten).
     */
    static void install(Path snapshotDir, Path storeDir, Path logDir, Path indexRoot, Path checkpointFile) {
        try {
            Path marker = storeDir.resolve(StoreLoader.INSTALL_MARKER);
            Files.writeString(marker, snapshotDir.toString());
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(marker,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            DurableFiles.syncDirectory(storeDir);
            FileTree.deleteRecursively(logDir);
            FileTree.deleteRecursively(indexRoot);
            Files.deleteIfExists(checkpointFile);
            for (String sub : List.of("log", "index")) {
                Path from = snapshotDir.resolve(sub);
                if (!Files.exists(from)) {
                    continue;
                }
                List<Path> files;
                try (Stream<Path> s = Files.walk(from)) {
                    files = s.filter(Files::isRegularFile).toList();
                }
                for (Path f : files) {
                    Path dest = storeDir.resolve(snapshotDir.relativize(f));
                    Files.createDirectories(dest.getParent());
                    linkOrCopy(f, dest);
                }
            }
            DurableFiles.copy(snapshotDir.resolve("checkpoint"), checkpointFile);
            // every name durable before the caller removes the marker: a machine crash then finds the whole snapshot
            DurableFiles.syncDirectoryTree(logDir);
            DurableFiles.syncDirectoryTree(indexRoot);
            DurableFiles.syncDirectory(storeDir);
        } catch (IOException e) {
            throw new StoreException("cannot install snapshot " + snapshotDir + " into " + storeDir, e);
        }
    }

    /** A hard link to {@code file}, or where the file system has none (or across mounts) a synced copy. */
    private static void linkOrCopy(Path file, Path link) throws IOException {
        try {
            Files.createLink(link, file);
        } catch (UnsupportedOperationException | IOException e) {
            DurableFiles.copy(file, link);
        }
    }
}
