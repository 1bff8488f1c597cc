package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** One queue's push delivery, against a scripted puller. */
@Timeout(10)
class QueueWorkerTest {
    /** What QueueWorker logged during the test. */
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void captureLog() {
        logged.start();
        ((Logger) LoggerFactory.getLogger(QueueWorker.class)).addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        ((Logger) LoggerFactory.getLogger(QueueWorker.class)).detachAppender(logged);
    }

    private static final DLedgerException TOO_LARGE = new DLedgerException(ErrorCode.LIMIT_EXCEEDED,
            Status.Code.RESOURCE_EXHAUSTED, "a message in the response is larger than this client's "
            + "maxInboundMessageBytes");

    /** Serves offsets [0, 3) of queue 0 in one batch, then waits; records what was asked and delivered. */
    private static final class ScriptedHost implements QueueWorker.Host {
        final List<Long> pulledFrom = new CopyOnWriteArrayList<>();
        /** The node each pull named ("leader" for none). */
        final List<String> pulledNodes = new CopyOnWriteArrayList<>();
        final List<Long> incarnations = new CopyOnWriteArrayList<>();
        final List<Long> delivered = new CopyOnWriteArrayList<>();
        final AtomicBoolean parkFails = new AtomicBoolean(true);
        /** What the next pulls return instead of serving: a future each, taken in turn (a failure, a held poll). */
        final Queue<CompletableFuture<PullResult>> script = new ConcurrentLinkedQueue<>();
        final List<Long> pauses = new CopyOnWriteArrayList<>();
        volatile boolean holdScheduled;
        volatile boolean clientClosed;
        /** Parking fails as refused to the client's token (not retryable) rather than for an unreachable cluster. */
        volatile boolean parkRefused;
        /** Thrown once by the delivery of offset 1 instead of the park failure, when set. */
        volatile Error escapes;
        final PushConsumerOptions options = PushConsumerOptions.builder("g", "t").build();

        @Override
        public PullConsumer puller() {
            return new PullConsumer() {
                @Override
                public PullResult pull(String topic, int queue, long offset, int maxMessages) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public PullResult pull(PullRequestOptions o) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public CompletableFuture<PullResult> pullAsync(PullRequestOptions o) {
                    pulledFrom.add(o.offset());
                    pulledNodes.add(o.nodeId() == null ? "leader" : o.nodeId());
                    incarnations.add(o.topicIncarnation());
                    CompletableFuture<PullResult> scripted = script.poll();
                    if (scripted != null) {
                        return scripted;
                    }
                    if (o.offset() >= 3) {
                        return new CompletableFuture<>(); // a long poll that is still waiting
                    }
                    List<ReceivedMessage> batch = new ArrayList<>();
                    for (long off = o.offset(); off < 3; off++) {
                        batch.add(new ReceivedMessage("t", 0, off, 0, null, null, null, new byte[0], off + 1));
                    }
                    return CompletableFuture.completedFuture(new PullResult(batch, Math.max(3, o.offset()), 0, 3,
                            "n1", null, null));
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public Executor workers() {
            return Runnable::run;
        }

        @Override
        public PushConsumerOptions options() {
            return options;
        }

        /** Offset 1 fails every attempt, and parking it fails while {@link #parkFails} (cluster unreachable). */
        @Override
        public boolean deliver(ReceivedMessage m, java.util.function.BooleanSupplier owned) {
            Error e = escapes;
            if (m.offset() == 1 && e != null) {
                escapes = null;
                throw e;
            }
            if (m.offset() == 1 && parkFails.get()) {
                throw parkRefused ? new DLedgerException(ErrorCode.PERMISSION_DENIED, Status.Code.PERMISSION_DENIED,
                        "the token may not produce") : new DLedgerException(ErrorCode.NODE_UNAVAILABLE,
                        Status.Code.UNAVAILABLE, "cannot park");
            }
            delivered.add(m.offset());
            return true;
        }

        @Override
        public void countServed(String node, int messages) {
        }

        @Override
        public boolean clientClosed() {
            return clientClosed;
        }

        @Override
        public long heartbeatIntervalMs() {
            return 700;
        }

        @Override
        public String leaderId() {
            return "n1";
        }

        @Override
        public void schedule(Runnable task, long delayMs) {
            pauses.add(delayMs);
            if (holdScheduled) {
                return; // the pause never ends
            }
            if (pulledFrom.size() >= 2) {
                parkFails.set(false); // the cluster is back
            }
            CompletableFuture.delayedExecutor(10, java.util.concurrent.TimeUnit.MILLISECONDS).execute(task);
        }
    }

    @Test
    void aMessageThatCouldNotBeParkedIsTriedAgainWithoutRepeatingTheOnesBeforeIt() {
        ScriptedHost host = new ScriptedHost();
        QueueWorker worker = new QueueWorker(host, 0, 0, 0);
        worker.start();
        await().until(() -> host.delivered.contains(2L));
        worker.stop();
        assertThat(host.delivered).containsExactly(0L, 1L, 2L); // 0 once, 1 once it could be handled, then 2
        assertThat(host.pulledFrom).containsExactly(0L, 1L, 1L, 3L); // after each failure from offset 1
        assertThat(worker.processedOffset()).isEqualTo(3);
    }

    /**
     * A suggestion of the leader (its own "stay", a follower sending the consumer back) is not pinned, so the pull
     * after a leader's death finds the next one at once; a follower the leader suggests is pulled from by name, and
     * so is the follower's own "stay".
     */
    @Test
    void theLeadersStayIsNotPinnedButAFollowerItSuggestsIs() {
        ScriptedHost host = new ScriptedHost();
        host.parkFails.set(false);
        host.script.add(CompletableFuture.completedFuture(served(0, "n1", "n1")));
        host.script.add(CompletableFuture.completedFuture(served(1, "n1", "n2")));
        host.script.add(CompletableFuture.completedFuture(served(2, "n2", "n2")));
        host.script.add(CompletableFuture.completedFuture(served(3, "n2", "n1"))); // back to the leader, n1
        host.script.add(new CompletableFuture<>());
        QueueWorker worker = new QueueWorker(host, 0, 0, 0);
        worker.start();
        await().until(() -> host.pulledNodes.size() == 5);
        worker.stop();
        assertThat(host.pulledNodes).containsExactly("leader", "leader", "n2", "n2", "leader");
        assertThat(host.delivered).containsExactly(0L, 1L, 2L, 3L);
    }

    private static PullResult served(long offset, String servedBy, String suggested) {
        return new PullResult(List.of(new ReceivedMessage("t", 0, offset, 0, null, null, null, new byte[0],
                offset + 1)), offset + 1, 0, 3, servedBy, suggested, "test");
    }

    /** A stop does not wait out a long poll on its way, and the poll's answer then delivers nothing. */
    @Test
    void aStoppedWorkerIsIdleDuringAPullOnItsWayAndItsAnswerDeliversNothing() {
        ScriptedHost host = new ScriptedHost();
        CompletableFuture<PullResult> held = new CompletableFuture<>();
        host.script.add(held);
        QueueWorker worker = new QueueWorker(host, 0, 0, 0);
        worker.start();
        assertThat(worker.isIdle()).isFalse();
        worker.stop();
        assertThat(worker.isIdle()).as("only a pull on its way").isTrue();
        held.complete(new PullResult(List.of(new ReceivedMessage("t", 0, 0, 0, null, null, null, new byte[0], 1)), 1,
                0, 3, "n1", null, null));
        assertThat(host.delivered).isEmpty();
        assertThat(worker.processedOffset()).isZero();
        assertThat(worker.isIdle()).isTrue();
    }

    @Test
    void aParkRefusedToTheTokenPausesLongerThanAnUnreachableCluster() {
        ScriptedHost host = new ScriptedHost();
        host.parkRefused = true;
        QueueWorker worker = new QueueWorker(host, 0, 0, 0);
        worker.start();
        await().until(() -> host.delivered.contains(2L));
        worker.stop();
        assertThat(host.pauses).startsWith((long) QueueWorker.REFUSED_PAUSE_MS, (long) QueueWorker.REFUSED_PAUSE_MS);
    }

    @Test
    void anErrorEscapingDeliveryPausesTheQueueInsteadOfStoppingIt() {
        ScriptedHost host = new ScriptedHost();
        host.parkFails.set(false);
        host.escapes = new OutOfMemoryError("listener ran out of heap");
        QueueWorker worker = new QueueWorker(host, 0, 0, 0);
        worker.start();
        await().until(() -> host.delivered.contains(2L));
        worker.stop();
        assertThat(host.delivered).containsExactly(0L, 1L, 2L);
        assertThat(host.pulledFrom).containsExactly(0L, 1L, 3L);
    }

    @Test
    void aPullErrorThatRetryingCannotCureIsLoggedOnceAndTriedLessOften() {
        ScriptedHost host = new ScriptedHost();
        host.parkFails.set(false);
        for (int i = 0; i < 3; i++) {
            host.script.add(CompletableFuture.failedFuture(TOO_LARGE));
        }
        QueueWorker worker = new QueueWorker(host, 0, 0, 0);
        worker.start();
        await().until(() -> host.delivered.contains(2L));
        assertThat(host.pulledFrom).containsExactly(0L, 0L, 0L, 0L, 3L); // tried until it passed
        assertThat(host.pauses).containsExactly(200L, 400L, 800L);
        assertThat(logged.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("t/0: pull failed: LIMIT_EXCEEDED",
                    "maxInboundMessageBytes");
        });

        worker.stop(); // its pull at offset 3 fails after it stopped: nothing is logged
        host.pulledFrom.clear();
        CompletableFuture<PullResult> held = new CompletableFuture<>();
        host.script.add(held);
        QueueWorker next = new QueueWorker(host, 0, 0, 0);
        next.start();
        next.stop();
        held.completeExceptionally(TOO_LARGE);
        await().until(next::isIdle);
        assertThat(logged.list).hasSize(1);
    }

    @Test
    void aSuccessfulPullEndsTheStuckStateSoTheNextSuchErrorIsLoggedAgain() {
        ScriptedHost host = new ScriptedHost();
        host.parkFails.set(false);
        host.script.add(CompletableFuture.failedFuture(TOO_LARGE));
        host.script.add(CompletableFuture.completedFuture(new PullResult(List.of(), 0, 0, 3, "n1", null, null)));
        host.script.add(CompletableFuture.failedFuture(TOO_LARGE));
        QueueWorker worker = new QueueWorker(host, 0, 0, 0);
        worker.start();
        await().until(() -> host.delivered.contains(2L));
        worker.stop();
        assertThat(host.pauses).containsExactly(200L, 200L); // the pause starts again after the success
        assertThat(logged.list).hasSize(2);
    }

    @Test
    void aTransientPullErrorIsRetriedQuietlyAndAClosedClientEndsThePulls() {
        ScriptedHost host = new ScriptedHost();
        host.parkFails.set(false);
        host.script.add(CompletableFuture.failedFuture(
                new DLedgerException(ErrorCode.NOT_LEADER, Status.Code.FAILED_PRECONDITION, "no leader")));
        QueueWorker worker = new QueueWorker(host, 0, 0, 0);
        worker.start();
        await().until(() -> host.delivered.contains(2L));
        worker.stop();
        assertThat(host.pulledFrom).containsExactly(0L, 0L, 3L);

        host.pulledFrom.clear();
        host.pauses.clear();
        host.script.add(CompletableFuture.failedFuture(Errors.closed("client")));
        new QueueWorker(host, 0, 0, 0).start();
        assertThat(host.pulledFrom).containsExactly(0L); // no further pull is scheduled
        assertThat(host.pauses).isEmpty();

        // any other error of a pull once the client is closed (its channel shut down under it, say): the same
        host.pulledFrom.clear();
        host.clientClosed = true;
        host.script.add(CompletableFuture.failedFuture(Errors.from(io.grpc.Status.UNAVAILABLE
                .withDescription("Channel shutdownNow invoked").asRuntimeException())));
        new QueueWorker(host, 0, 0, 0).start();
        assertThat(host.pulledFrom).containsExactly(0L);
        assertThat(host.pauses).isEmpty();
        assertThat(logged.list).isEmpty();
    }

    @Test
    void anOffsetPastTheLeadersEndIsLoggedOnceAndOneBelowItsStartSkipsAhead() {
        ScriptedHost host = new ScriptedHost();
        host.parkFails.set(false);
        host.script.add(CompletableFuture.failedFuture(Errors.from(FakeNode.outOfRange(0, 2))));
        QueueWorker past = new QueueWorker(host, 0, 5, 0); // e.g. a deposed leader that lags answers
        past.start();
        await().until(() -> host.pulledFrom.size() == 2);
        past.stop();
        assertThat(host.pulledFrom).containsExactly(5L, 5L); // not reset: a deposed leader may be answering
        assertThat(logged.list).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                .contains("t/0: pull failed: OFFSET_OUT_OF_RANGE"));

        host.pulledFrom.clear();
        host.script.add(CompletableFuture.failedFuture(Errors.from(FakeNode.outOfRange(1, 3)))); // retention removed offset 0
        QueueWorker behind = new QueueWorker(host, 0, 0, 0);
        behind.start();
        await().until(() -> host.delivered.contains(2L));
        behind.stop();
        assertThat(host.pulledFrom).containsExactly(0L, 1L, 3L);
        assertThat(host.delivered).containsExactly(1L, 2L);
        assertThat(logged.list).hasSize(1);
    }

    /**
     * A worker pulls the topic incarnation it was started with; when the topic was replaced since, it says so once (no
     * warning: the consumer starts the queue over at its next heartbeat) and waits about a heartbeat between tries.
     */
    @Test
    void aReplacedTopicIsWaitedOutQuietly() {
        ScriptedHost host = new ScriptedHost();
        host.holdScheduled = true;
        host.script.add(CompletableFuture.failedFuture(new DLedgerException(ErrorCode.TOPIC_REPLACED,
                Status.Code.FAILED_PRECONDITION, "topic 't' was deleted and created again")));
        QueueWorker worker = new QueueWorker(host, 0, 4, 7);
        worker.start();
        assertThat(host.incarnations).containsExactly(7L);
        assertThat(host.pauses).as("about a heartbeat").containsExactly(700L);
        assertThat(logged.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.INFO);
            assertThat(e.getFormattedMessage()).contains("t/0: TOPIC_REPLACED", "was deleted and created again",
                    "starts over in the new topic");
        });
        worker.stop();
        assertThat(worker.isIdle()).isTrue();
    }

    /** A worker waiting out a pause after a failed pull holds nothing: once stopped it is idle at once. */
    @Test
    void aWorkerStoppedDuringAPauseIsIdleWithoutWaitingForIt() {
        ScriptedHost host = new ScriptedHost();
        host.holdScheduled = true;
        host.script.add(CompletableFuture.failedFuture(TOO_LARGE));
        QueueWorker worker = new QueueWorker(host, 0, 0, 0);
        worker.start();
        assertThat(host.pauses).containsExactly(200L); // waiting
        assertThat(worker.isIdle()).isFalse(); // still running
        worker.stop();
        assertThat(worker.isIdle()).isTrue();
    }

}
