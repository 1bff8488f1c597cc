package io.dledger.broker.store;

import io.dledger.broker.disk.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a store's data from its directory (layout in {@link MessageStore}): when the store opens, and again when a
 * snapshot's files have replaced the old ones. A load opens the log, reads the checkpoint (an empty one when there
 * is none), cuts the log back to the end of an installed snapshot, and recovers the topics' indexes, the idempotent
 * producers, the consumer offsets and the peers from the checkpoint and the log after it ({@link StoreRecovery}).
 *
 * <p>A store that finds the {@link #INSTALL_MARKER} when it opens was interrupted while a snapshot replaced its
 * data: the load deletes the data and the marker and starts empty, to be filled again from the Raft snapshot.
 *
 * <p>Thread-safety: runs while nothing else writes to the store (at open, under its lock, or on the state machine
 * thread during a snapshot install); it restores the store's own producer table, consumer offsets and peers.
 */
final class StoreLoader {
    // lines logged here keep the logger name they had before they moved out of MessageStore
    private static final Logger LOG = LoggerFactory.getLogger(MessageStore.class);
    static final String INSTALL_MARKER = "INSTALLING";

    private final StoreConfig config;
    private final Path logDir;
    private final Path indexRoot;
    private final Path checkpointFile;
    private final ProducerTable producers;
    private final ConsumerOffsets consumerOffsets;
    private final Map<String, RecordCodec.Peer> peers;

    /** What a load found: the open data, the checkpoint it started from, and what recovery replayed after it. */
    record Loaded(StoreData data, Checkpoint checkpoint, StoreRecovery.Result recovery) {
    }

    StoreLoader(StoreConfig config, Path logDir, Path indexRoot, Path checkpointFile, ProducerTable producers,
                ConsumerOffsets consumerOffsets, Map<String, RecordCodec.Peer> peers) {
        this.config = config;
        this.logDir = logDir;
        this.indexRoot = indexRoot;
        this.checkpointFile = checkpointFile;
        this.producers = producers;
        this.consumerOffsets = consumerOffsets;
        this.peers = peers;
    }

    /** Removes what an interrupted checkpoint write left: at open, under the store's lock, when nothing writes. */
    void removeCheckpointLeftovers() {
        try {
            DurableFiles.removeLeftovers(checkpointFile);
        } catch (IOException e) {
            throw new StoreException("cannot remove an unfinished checkpoint in " + config.dir(), e);
        }
    }

    /**
     * Loads the data in the store's directory. {@code truncateLogTo}, when not null, is where the log ends (an
     * installed snapshot's log position); {@code installing} is true while a snapshot install runs, whose marker
     * then is no leftover of an interrupted one. A failed load leaves nothing open.
     */
    Loaded load(Long truncateLogTo, boolean installing) {
        Path marker = config.dir().resolve(INSTALL_MARKER);
        if (!installing && Files.exists(marker)) {
            LOG.warn("a snapshot install into {} was interrupted; starting with an empty store, which the Raft "
                    + "snapshot fills again", config.dir());
            try {
                deleteData();
                DurableFiles.syncDirectory(config.dir()); // the data gone for good before the marker
                Files.delete(marker);
            } catch (IOException e) {
                throw new StoreException("cannot reset interrupted install in " + config.dir(), e);
            }
        }
        SegmentedLog log = SegmentedLog.open(logDir, config.segmentBytes());
        ConcurrentHashMap<String, TopicQueues> topics = new ConcurrentHashMap<>();
        try {
            Checkpoint c = Files.exists(checkpointFile) ? CheckpointCodec.read(checkpointFile)
                    : Checkpoint.empty(log.startPosition());
            if (truncateLogTo != null && log.endPosition() > truncateLogTo) {
                log.truncate(truncateLogTo);
            }
            StoreRecovery.Result r = StoreRecovery.recover(log, c, topics, producers, consumerOffsets, peers, indexRoot,
                    config.indexEntriesPerFile());
            return new Loaded(new StoreData(log, topics), c, r);
        } catch (RuntimeException e) {
            topics.values().forEach(TopicQueues::close); // the indexes recovery had opened
            log.close();
            throw e;
        }
    }

    private void deleteData() throws IOException {
        FileTree.deleteRecursively(logDir);
        FileTree.deleteRecursively(indexRoot);
        Files.deleteIfExists(checkpointFile);
    }

    /**
     * Replaces the store's files with those of the snapshot in {@code snapshotDir}, the install marker written first
     * ({@link StoreSnapshotFiles#install}); {@link #finishInstall} removes it once the new data is loaded.
     */
    void installFiles(Path snapshotDir) {
        StoreSnapshotFiles.install(snapshotDir, config.dir(), logDir, indexRoot, checkpointFile);
    }

    /** Removes the install marker: the installed snapshot's data is loaded. */
    void finishInstall() {
        try {
            Files.deleteIfExists(config.dir().resolve(INSTALL_MARKER));
        } catch (IOException e) {
            throw new StoreException("cannot finish snapshot install in " + config.dir(), e);
        }
    }
}
