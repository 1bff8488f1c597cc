package io.dledger.client;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Settings of one {@link DLedgerClient}, as validated by its builder. Immutable, thread-safe.
 *
 * @param seeds                  seed addresses ({@code host:port}), non-empty, without duplicates
 * @param requestTimeout         deadline of one RPC attempt
 * @param operationTimeout       deadline of a whole operation, retries included
 * @param maxInboundMessageBytes largest response accepted
 * @param maxInFlightPerProducer requests one producer may have on the wire at once
 * @param channelFactory         opens the channel for an address; the client owns and shuts down the channels
 * @param callCredentials        sent with every call (a token), or {@code null}
 */
record ClientConfig(List<String> seeds, Duration requestTimeout, Duration operationTimeout,
        int maxInboundMessageBytes, int maxInFlightPerProducer, Function<String, ManagedChannel> channelFactory,
        CallCredentials callCredentials) {

    /** The options of one call: its deadline, the inbound size limit, the credentials. */
    CallOptions callOptions(long timeoutNanos) {
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS)
                .withMaxInboundMessageSize(maxInboundMessageBytes);
        return callCredentials == null ? options : options.withCallCredentials(callCredentials);
    }

    /** Deadline of the status calls of a leader refresh: short, so a dead node does not stall failover. */
    long refreshProbeTimeoutNanos() {
        return Math.min(requestTimeout.toNanos(), Duration.ofSeconds(1).toNanos());
    }
}
