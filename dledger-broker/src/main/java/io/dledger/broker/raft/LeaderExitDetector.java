package io.dledger.broker.raft;

import io.dledger.broker.concurrent.DaemonThreadFactory;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a follower stand for election soon after its leader's process exits, instead of waiting out the election
 * timeout plus the wait for JRaft's election timer (which heartbeats do not reset: about 0.9 s on average with the
 * defaults, up to 1.5 s).
 *
 * <p>When a process dies (kill -9, a crash, the OOM killer) and its host stays up, the kernel closes its
 * connections at once. A connection into this node's Raft port closing is the cue: if this node follows a leader,
 * the detector's thread tries a TCP connect to the leader's Raft port. Refused means nothing listens there any
 * more: the node shortens its election timeout (and with it its leader lease) to {@code fastTimeoutMs}; the first
 * follower by node id also shortens JRaft's random election delay to {@value #FIRST_MAX_DELAY_MS} ms, the others
 * keep theirs, so one usually stands alone and the votes do not split. This lasts until the node leads or
 * follows another leader (checked every {@code pollMillis}), then restores both (or after {@value #GIVE_UP_TIMEOUTS}
 * normal election timeouts without one). The other followers get the same cue from their own connections, so their
 * pre-vote grants need not wait out their leader lease either. A host that is down, or a partition, closes nothing (or
 * the connect times out): the election timeout applies as before. The timeouts decide when an election starts and how
 * long a follower counts its leader as alive; Raft's safety (one leader per term, what is committed) does not
 * depend on them.
 *
 * <p>Thread-safety: {@link #connectionClosed} may be called from any thread (Bolt's connection event threads);
 * probes and timeout changes run on the detector's single thread, one probe at a time.
 */
final class LeaderExitDetector implements AutoCloseable {
    static final int PROBE_CONNECT_TIMEOUT_MS = 200;
    /**
     * JRaft's random election delay in fast mode for the first follower by node id (the others keep the normal
     * one): it usually stands alone, and the others' spread keeps them from splitting the votes with it.
     */
    static final int FIRST_MAX_DELAY_MS = 100;
    static final int GIVE_UP_TIMEOUTS = 20;
    private static final Logger LOG = LoggerFactory.getLogger(LeaderExitDetector.class);

    /** What the detector reads from and changes on the Raft node. */
    interface Election {
        /** The leader's Raft endpoint while this node follows one; empty otherwise. */
        Optional<InetSocketAddress> followedLeader();

        /** Whether this node comes first, by node id, among the members other than {@code goneLeader}. */
        boolean firstToStand(InetSocketAddress goneLeader);

        /** Whether this node is the leader now. */
        boolean leads();

        /** The term of the leader this node last followed or led, as the state machine was told. */
        long term();

        /** Sets the election timeout and the random extra delay before an election. */
        void electionTimeouts(int timeoutMs, int maxDelayMs);
    }

    /** Whether a TCP connect to an address is refused (nothing listens there; the host answered). */
    interface PortProbe {
        boolean refused(InetSocketAddress address);
    }

    private final Election election;
    private final PortProbe probe;
    private final int normalTimeoutMs;
    private final int normalDelayMs;
    private final int fastTimeoutMs;
    private final long pollMillis;
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(new DaemonThreadFactory("dledger-leader-exit"));
    private final AtomicBoolean probeQueued = new AtomicBoolean();
    private InetSocketAddress goneLeader; // set while the timeouts are short; these fields: detector thread only
    private long goneTerm;
    private long fastSinceNanos;

    LeaderExitDetector(Election election, PortProbe probe, int normalTimeoutMs, int normalDelayMs, int fastTimeoutMs,
            long pollMillis) {
        this.election = election;
        this.probe = probe;
        this.normalTimeoutMs = normalTimeoutMs;
        this.normalDelayMs = normalDelayMs;
        this.fastTimeoutMs = Math.min(fastTimeoutMs, normalTimeoutMs);
        this.pollMillis = pollMillis;
    }

    /** A TCP connect with a short timeout: refused is a {@link ConnectException}; a timeout or success is not. */
    static boolean connectRefused(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, PROBE_CONNECT_TIMEOUT_MS);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A connection into this node's Raft port closed. */
    void connectionClosed() {
        if (probeQueued.compareAndSet(false, true)) {
            submit(this::probeLeader);
        }
    }

    private void probeLeader() {
        probeQueued.set(false);
        if (goneLeader != null) {
            return;
        }
        long term = election.term(); // before the probe: a newer term seen later then ends the fast mode
        Optional<InetSocketAddress> leader = election.followedLeader();
        if (leader.isEmpty() || !probe.refused(leader.get())) {
            return;
        }
        int delayMs = election.firstToStand(leader.get()) ? Math.min(FIRST_MAX_DELAY_MS, normalDelayMs)
                : normalDelayMs;
        election.electionTimeouts(fastTimeoutMs, delayMs);
        goneLeader = leader.get();
        goneTerm = term;
        fastSinceNanos = System.nanoTime();
        LOG.info("leader at {} is gone (its Raft port refuses connections): election timeout {} ms (+ up to {} ms) "
                + "until a leader is elected", goneLeader, fastTimeoutMs, delayMs);
        schedule(this::restoreWhenLed);
    }

    /**
     * Back to the normal timeouts as soon as this node leads, or follows a leader other than the gone one (or the
     * same address in a newer term: it was restarted); after {@value #GIVE_UP_TIMEOUTS} normal timeouts anyway.
     * Retried until the change went through.
     */
    private void restoreWhenLed() {
        boolean led;
        boolean givenUp;
        try {
            Optional<InetSocketAddress> followed = election.followedLeader();
            led = election.leads() || followed.filter(l -> !l.equals(goneLeader) || election.term() > goneTerm)
                    .isPresent();
            givenUp = System.nanoTime() - fastSinceNanos > TimeUnit.MILLISECONDS.toNanos(
                    (long) GIVE_UP_TIMEOUTS * normalTimeoutMs);
            if (led || givenUp) {
                election.electionTimeouts(normalTimeoutMs, normalDelayMs);
            }
        } catch (RuntimeException e) {
            LOG.warn("leader exit detection: cannot restore the election timeouts yet: {}", e.toString());
            schedule(this::restoreWhenLed);
            return;
        }
        if (!led && !givenUp) {
            schedule(this::restoreWhenLed);
            return;
        }
        goneLeader = null;
        LOG.info(led ? "a leader is elected: election timeout back to {} ms"
                : "no leader elected for a while: election timeout back to {} ms", normalTimeoutMs);
    }

    private void submit(Runnable task) {
        try {
            executor.execute(guarded(task));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    private void schedule(Runnable task) {
        try {
            executor.schedule(guarded(task), pollMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("leader exit detection failed: {}", e.toString());
            }
        };
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
