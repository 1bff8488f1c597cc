package io.dledger.client;

import io.dledger.proto.ProduceRequest;
import io.grpc.Status;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link Producer} of a {@link DLedgerClient}: builds one {@link ProduceRequest} per batch call, and one per group
 * of concurrent single sends ({@link ProduceAccumulator}), with the producer id and a sequence taken once from the
 * {@link SendWindow}, and hands it to the {@link ClusterRouter}, which re-sends that same request on every retry.
 *
 * <p>Thread-safe.
 */
final class DefaultProducer implements Producer {
    /** Single sends of one topic on the wire at once; more wait and travel together in the next request. */
    static final int MAX_REQUESTS_IN_FLIGHT_PER_TOPIC = 4;
    static final int COMBINED_MAX_MESSAGES = 1000;
    static final int COMBINED_MAX_BYTES = 1 << 20;

    private final ClusterRouter router;
    private final long producerId;
    private final SendWindow window;
    private final ProduceAccumulator accumulator;
    private volatile boolean closed;

    DefaultProducer(ClusterRouter router, SecureRandom random) {
        this.router = router;
        long id;
        do {
            id = random.nextLong();
        } while (id == 0);
        this.producerId = id;
        this.window = new SendWindow(router.config().maxInFlightPerProducer());
        // no more requests of a topic in flight than the window allows: with a window of 1 the next request of a
        // topic is formed only once the one before it is resolved, so its messages keep their call order
        this.accumulator = new ProduceAccumulator(this::sendRequest,
                Math.min(MAX_REQUESTS_IN_FLIGHT_PER_TOPIC, router.config().maxInFlightPerProducer()),
                COMBINED_MAX_MESSAGES, COMBINED_MAX_BYTES);
    }

    @Override
    public long producerId() {
        return producerId;
    }

    @Override
    public SendResult send(String topic, Message message) {
        return Errors.awaitWrite(sendAsync(topic, message));
    }

    @Override
    public CompletableFuture<SendResult> sendAsync(String topic, Message message) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(message, "message");
        if (closed) {
            return CompletableFuture.failedFuture(Errors.closed("producer"));
        }
        return accumulator.send(topic, ProtoMapper.toProto(message), router.deadlineFromNow());
    }

    @Override
    public BatchSendResult sendBatch(String topic, List<Message> messages) {
        return Errors.awaitWrite(sendBatchAsync(topic, messages));
    }

    @Override
    public CompletableFuture<BatchSendResult> sendBatchAsync(String topic, List<Message> messages) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(messages, "messages");
        if (closed) {
            return CompletableFuture.failedFuture(Errors.closed("producer"));
        }
        if (messages.isEmpty()) {
            return CompletableFuture.failedFuture(new DLedgerException(ErrorCode.EMPTY_MESSAGE,
                    Status.Code.INVALID_ARGUMENT, "a batch needs at least one message"));
        }
        List<io.dledger.proto.Message> protos = new ArrayList<>(messages.size());
        for (Message m : messages) {
            protos.add(ProtoMapper.toProto(Objects.requireNonNull(m, "message")));
        }
        return sendRequest(topic, protos, router.deadlineFromNow());
    }

    /**
     * One ProduceRequest with the next sequence, retried by the router under that same sequence until
     * {@code deadline}, which the caller took when the send was called (waiting for window room counts).
     */
    private CompletableFuture<BatchSendResult> sendRequest(String topic, List<io.dledger.proto.Message> protos,
                                                           long deadline) {
        CompletableFuture<BatchSendResult> result = new CompletableFuture<>();
        window.acquire(sequence -> dispatch(topic, protos, sequence, deadline, result));
        return result;
    }

    private void dispatch(String topic, List<io.dledger.proto.Message> protos, long sequence, long deadline,
            CompletableFuture<BatchSendResult> result) {
        ProduceRequest request = ProduceRequest.newBuilder()
                .setTopic(topic)
                .addAllMessages(protos)
                .setProducerId(producerId)
                .setSequence(sequence)
                .build();
        router.execute(Operations.produce(request), deadline).whenComplete((response, error) -> {
            window.release(sequence);
            if (error != null) {
                result.completeExceptionally(Errors.from(error));
                return;
            }
            try {
                result.complete(ProtoMapper.toBatchResult(topic, protos.size(), response));
            } catch (DLedgerException e) {
                result.completeExceptionally(e);
            }
        });
    }

    /** Stops accepting sends; accepted ones (including those waiting for window room) still complete. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "Producer[" + Long.toUnsignedString(producerId) + "]";
    }
}
