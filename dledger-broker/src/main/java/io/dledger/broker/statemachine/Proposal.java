package io.dledger.broker.statemachine;

import io.dledger.proto.internal.Command;
import java.util.concurrent.CompletableFuture;

/** One client write waiting to be applied: the command and the future its result completes. */
record Proposal(Command command, int sizeBytes, CompletableFuture<Object> result) {
}
