package io.dledger.broker.store;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's topics as the {@link EntryWriter} changes them: looks a topic up, creates one with its queue indexes,
 * removes a deleted one from the store's data (readers no longer see it), and deletes a deleted topic's index files.
 * Those files go after the entry is applied, once a checkpoint without the topic is on disk, so a kill -9 in between
 * never finds a checkpointed topic without its index; or at once when the same entry creates the topic again.
 *
 * <p>Thread-safety: the state machine thread alone uses it; the topics it changes are in the current
 * {@link StoreData}, whose map readers on any thread see.
 */
final class TopicLifecycle {
    // lines logged here keep the logger name they had before they moved out of MessageStore
    private static final Logger LOG = LoggerFactory.getLogger(MessageStore.class);

    private final Supplier<StoreData> data;
    private final Path indexRoot;
    private final int indexEntriesPerFile;
    private final StoreCheckpoints checkpoints;

    /** {@code data} gives the store's current data; topic indexes live under {@code indexRoot}. */
    TopicLifecycle(Supplier<StoreData> data, Path indexRoot, int indexEntriesPerFile, StoreCheckpoints checkpoints) {
        this.data = data;
        this.indexRoot = indexRoot;
        this.indexEntriesPerFile = indexEntriesPerFile;
        this.checkpoints = checkpoints;
    }

    /** The topic named {@code name}, or null. */
    TopicQueues get(String name) {
        return data.get().topics().get(name);
    }

    /** Creates topic {@code name} with {@code queues} empty queues, its incarnation the creating entry's Raft index. */
    void add(String name, long incarnation, int queues) {
        data.get().topics().put(name, TopicQueues.create(indexRoot, indexEntriesPerFile, name, incarnation, queues));
    }

    /** Removes topic {@code name} from the store; its files stay until {@link #deleteFiles}. */
    void remove(String name) {
        data.get().topics().remove(name);
    }

    /** Deletes a deleted topic's files at once, without a checkpoint first (see EntryWriter#createTopic). */
    void deleteFilesNow(TopicQueues t) {
        t.delete(indexRoot);
        LOG.info("deleted topic {} (created again in the same entry)", t.name());
    }

    /**
     * Deletes the files of topics an entry deleted (state machine thread, after the entry is applied): a checkpoint
     * without them is written first, so a kill -9 in between never finds a checkpointed topic without its index.
     */
    void deleteFiles(List<TopicQueues> deleted) {
        checkpoints.beforeDeleting();
        for (TopicQueues t : deleted) {
            t.delete(indexRoot);
            LOG.info("deleted topic {}", t.name());
        }
    }
}
