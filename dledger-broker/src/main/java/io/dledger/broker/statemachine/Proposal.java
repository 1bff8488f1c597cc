package io.dledger.broker.statemachine;

import io.dledger.proto.internal.Command;
import java.util.concurrent.CompletableFuture;

/**
 * One client write waiting to be applied: the command, the future its result completes, and when it reached the
 * proposer ({@link System#nanoTime()}, for the queued-stage timer).
 */
record Proposal(Command command, int sizeBytes, CompletableFuture<Object> result, long enqueuedNanos) {
}
