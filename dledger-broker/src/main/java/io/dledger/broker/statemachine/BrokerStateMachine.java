package io.dledger.broker.statemachine;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.LeaderChangeContext;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.RaftOutter.SnapshotMeta;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RaftException;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import io.dledger.broker.store.Checkpoint;
import io.dledger.broker.store.CheckpointCodec;
import io.dledger.broker.store.MessageStore;
import io.dledger.proto.internal.CommandBatch;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's JRaft state machine: applies committed {@link CommandBatch} entries to the
 * {@link MessageStore} in log order (each entry's commands through {@link CommandApplier}), saves and
 * loads snapshots, and tracks leadership.
 *
 * <p>Applying is deterministic (queue offsets, timestamps and deduplication depend only on the entries),
 * so every replica builds the same store. An entry at or below the store's last applied index is
 * already stored (a replay after restart) and is skipped. A storage failure stops the node
 * ({@code setErrorAndRollback}) rather than let replicas diverge.
 *
 * <p>Thread-safety: JRaft calls the callbacks on its single state machine thread; {@link #isLeader}
 * and the counters are safe to read from any thread.
 */
public final class BrokerStateMachine extends StateMachineAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerStateMachine.class);
    static final String CHECKPOINT_FILE = "checkpoint";

    private final MessageStore store;
    private final CommandApplier applier;
    private final Executor snapshotExecutor;
    private final AtomicLong snapshotsInstalled = new AtomicLong();
    private volatile long leaderTerm = -1;
    /** When this node last started leading (nanoTime). */
    private volatile long leaderSince;
    private volatile long knownTerm;
    private volatile long lastSnapshotIndex;
    private volatile String error;
    private final List<Runnable> leaderStartListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> leaderChangeListeners = new CopyOnWriteArrayList<>();
    private volatile Function<PeerId, String> peerNames = PeerId::toString;
    private final List<Consumer<Configuration>> configurationListeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<CompletableFuture<PeerId>> following =
            new AtomicReference<>(new CompletableFuture<>());
    /** When this node last lost its leader (nanoTime), to log how long the election took; 0 when unknown. */
    private volatile long leaderLostAt;

    public BrokerStateMachine(MessageStore store, Executor snapshotExecutor) {
        this.store = store;
        this.applier = new CommandApplier(store);
        this.snapshotExecutor = snapshotExecutor;
    }

    @Override
    public void onApply(Iterator it) {
        while (it.hasNext()) {
            long index = it.getIndex();
            Closure done = it.done();
            if (index <= store.lastAppliedIndex()) {
                if (done != null) { // cannot happen for an entry this leader proposed; never leave a caller hanging
                    done.run(new Status(RaftError.EINTERNAL, "entry %d was already applied", index));
                }
                it.next(); // already in the store: replay after a restart
                continue;
            }
            ApplyClosure closure = done instanceof ApplyClosure c ? c : null;
            Object[] results;
            try {
                if (closure != null) {
                    closure.applyStarted();
                }
                CommandBatch batch = closure != null ? closure.batch() : CommandCodec.decode(it.getData());
                results = applier.apply(index, batch);
            } catch (RuntimeException e) {
                LOG.error("cannot apply Raft entry {}; stopping this node's state machine", index, e);
                error = "apply of entry " + index + " failed: " + e.getMessage();
                // the entry may have changed the store's memory part-way (a topic gone from its map): no checkpoint
                // may record that, not even the one a clean stop writes; a restart replays the entry instead
                store.markFailed(error);
                it.setErrorAndRollback(1, new Status(RaftError.ESTATEMACHINE, "apply failed: %s", e.getMessage()));
                return;
            }
            if (closure != null) {
                closure.setResults(results);
                closure.run(Status.OK());
            } else if (done != null) {
                done.run(Status.OK());
            }
            it.next();
        }
    }

    @Override
    public void onSnapshotSave(SnapshotWriter writer, Closure done) {
        String failure = store.failure();
        // A failed store's memory may not match its files: a snapshot would let JRaft drop the log behind it. (The node
        // is in JRaft's error state already: the apply that failed the store reported it; EIO here changes nothing.)
        if (failure != null) {
            done.run(new Status(RaftError.EIO, "no snapshot of a failed store: %s", failure));
            return;
        }
        Checkpoint c = store.captureCheckpoint();
        Path dir = Path.of(writer.getPath());
        List<String> files;
        try {
            files = store.linkSnapshotFiles(c, dir);
        } catch (RuntimeException e) {
            LOG.error("snapshot save failed", e);
            done.run(new Status(RaftError.EIO, "snapshot save failed: %s", e.getMessage()));
            return;
        }
        snapshotExecutor.execute(() -> {
            try {
                // flushes the linked bytes too; writes nothing when the store failed since the capture
                if (!store.persist(c)) {
                    done.run(new Status(RaftError.EIO, "no snapshot of a failed store: %s", store.failure()));
                    return;
                }
                CheckpointCodec.write(dir.resolve(CHECKPOINT_FILE), c);
                store.syncSnapshotFiles(dir);
                for (String f : files) {
                    writer.addFile(f);
                }
                writer.addFile(CHECKPOINT_FILE);
                lastSnapshotIndex = Math.max(lastSnapshotIndex, c.raftIndex());
                LOG.info("snapshot saved: store at raft index {}, {} files", c.raftIndex(), files.size() + 1);
                done.run(Status.OK());
            } catch (RuntimeException e) {
                LOG.error("snapshot save failed", e);
                done.run(new Status(RaftError.EIO, "snapshot save failed: %s", e.getMessage()));
            }
        });
    }

    @Override
    public boolean onSnapshotLoad(SnapshotReader reader) {
        SnapshotMeta meta = reader.load();
        if (meta == null) {
            LOG.error("snapshot {} has no metadata", reader.getPath());
            return false;
        }
        Path dir = Path.of(reader.getPath());
        try {
            Checkpoint c = CheckpointCodec.read(dir.resolve(CHECKPOINT_FILE));
            if (store.lastAppliedIndex() >= c.raftIndex()) {
                LOG.info("snapshot at raft index {} is already contained in the store (applied {})",
                        meta.getLastIncludedIndex(), store.lastAppliedIndex());
            } else {
                LOG.info("installing snapshot at raft index {} over a store at applied index {}",
                        meta.getLastIncludedIndex(), store.lastAppliedIndex());
                store.installSnapshot(dir);
                snapshotsInstalled.incrementAndGet();
            }
            store.markApplied(meta.getLastIncludedIndex());
            lastSnapshotIndex = meta.getLastIncludedIndex();
            return true;
        } catch (RuntimeException e) {
            LOG.error("cannot load snapshot {}", dir, e);
            error = "snapshot load failed: " + e.getMessage();
            return false;
        }
    }

    @Override
    public void onLeaderStart(long term) {
        // before the node answers as leader: a consumer heartbeat must not meet the group state of an earlier term
        leaderStartListeners.forEach(l -> runGuarded(l, "leader-start listener (the node leads term " + term
                + " all the same)"));
        leaderSince = System.nanoTime();
        leaderTerm = term;
        knownTerm = Math.max(knownTerm, term);
        leaderChangeListeners.forEach(Runnable::run);
        LOG.info("leader change: this node leads term {}{} (applied index {})", term, electionTook(),
                store.lastAppliedIndex());
    }

    @Override
    public void onLeaderStop(Status status) {
        LOG.info("stepped down as leader of term {}: {}", leaderTerm, status.getErrorMsg());
        leaderTerm = -1;
        leaderLostAt = System.nanoTime();
    }

    @Override
    public void onStartFollowing(LeaderChangeContext ctx) {
        knownTerm = Math.max(knownTerm, ctx.getTerm());
        leaderChangeListeners.forEach(Runnable::run);
        following.getAndSet(new CompletableFuture<>()).complete(ctx.getLeaderId());
        LOG.info("leader change: {} leads term {}{}", peerNames.apply(ctx.getLeaderId()), ctx.getTerm(),
                electionTook());
    }

    @Override
    public void onStopFollowing(LeaderChangeContext ctx) {
        knownTerm = Math.max(knownTerm, ctx.getTerm());
        leaderLostAt = System.nanoTime();
        LOG.debug("stopped following leader {} of term {}: {}", ctx.getLeaderId(), ctx.getTerm(), ctx.getStatus());
    }

    private String electionTook() {
        long lost = leaderLostAt;
        leaderLostAt = 0;
        return lost == 0 ? "" : "; election took " + (System.nanoTime() - lost) / 1_000_000 + " ms after the "
                + "previous leader was lost";
    }

    /**
     * Completes, with the leader's Raft address as JRaft names it in that event, the next time this node starts
     * following a leader (another node: a transfer or an election moved leadership away). Take it before starting
     * what should move leadership.
     */
    public CompletableFuture<PeerId> nextFollowing() {
        return following.get();
    }

    /** Runs {@code listener} whenever this node learns of a new leader (itself included). */
    public void onLeaderChange(Runnable listener) {
        leaderChangeListeners.add(listener);
    }

    /**
     * Names peers in log lines with {@code names} (a node id with its Raft address) instead of the Raft address alone;
     * lines logged before this is set give the address.
     */
    public void namePeersWith(Function<PeerId, String> names) {
        peerNames = names;
    }

    /** Runs {@code listener} with each configuration JRaft commits (state machine thread; every node). */
    public void onConfigurationCommitted(Consumer<Configuration> listener) {
        configurationListeners.add(listener);
    }

    @Override
    public void onConfigurationCommitted(Configuration conf) {
        // a throw here would skip JRaft's bookkeeping of the applied batch
        configurationListeners.forEach(l -> runGuarded(() -> l.accept(conf), "configuration listener on " + conf));
    }

    /** Runs a listener of this state machine's callbacks; one that throws is logged, not passed on to JRaft. */
    private static void runGuarded(Runnable listener, String what) {
        try {
            listener.run();
        } catch (RuntimeException e) {
            LOG.warn("{} failed", what, e);
        }
    }

    @Override
    public void onError(RaftException e) {
        error = e.getMessage();
        LOG.error("Raft node entered the error state; it serves no more writes", e);
    }

    /**
     * Runs {@code listener} (on the state machine thread) whenever this node becomes leader, before
     * {@link #isLeader()} turns true.
     */
    public void onLeadershipStart(Runnable listener) {
        leaderStartListeners.add(listener);
    }

    /** True between onLeaderStart and onLeaderStop: every earlier entry is applied. */
    public boolean isLeader() {
        return leaderTerm > 0;
    }

    /** How long this node has led, in nanoseconds (meaningful while {@link #isLeader}). */
    public long leadingNanos() {
        return System.nanoTime() - leaderSince;
    }

    /** The term this node leads, or -1. */
    public long leaderTerm() {
        return leaderTerm;
    }

    /** The newest term this node has seen a leader for (its own included). */
    public long knownTerm() {
        return knownTerm;
    }

    public long lastSnapshotIndex() {
        return lastSnapshotIndex;
    }

    public long snapshotsInstalled() {
        return snapshotsInstalled.get();
    }

    /** Why the node stopped applying, or null while healthy. */
    public String error() {
        return error;
    }

    public MessageStore store() {
        return store;
    }
}
