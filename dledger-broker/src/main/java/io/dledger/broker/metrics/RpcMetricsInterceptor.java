package io.dledger.broker.metrics;

import io.dledger.broker.server.RpcErrors;
import io.dledger.proto.ErrorDetail;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures every gRPC call in one place: {@code dledger.rpc.requests} (a timer with a latency
 * histogram, tagged by method), {@code dledger.rpc.inflight} and {@code dledger.rpc.rejected} (tagged by
 * method and typed error code, e.g. NOT_LEADER, MESSAGE_TOO_LARGE). Thread-safe.
 */
public final class RpcMetricsInterceptor implements ServerInterceptor {
    /** Latency histogram buckets (Prometheus {@code le} values). */
    private static final java.time.Duration[] BUCKETS = java.util.stream.LongStream.of(1, 2, 5, 10, 20, 50, 100, 200,
            500, 1000, 2000, 5000, 30000).mapToObj(java.time.Duration::ofMillis).toArray(java.time.Duration[]::new);

    private final MeterRegistry registry;
    private final AtomicInteger inflight = new AtomicInteger();
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> rejections = new ConcurrentHashMap<>();

    public RpcMetricsInterceptor(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("dledger.rpc.inflight", inflight);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getBareMethodName();
        long start = System.nanoTime();
        inflight.incrementAndGet();
        ServerCall<Q, R> measured = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                inflight.decrementAndGet();
                timer(method).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                if (!status.isOk()) {
                    ErrorDetail d = trailers.get(RpcErrors.DETAIL_KEY);
                    String code = d != null ? d.getCode().name() : status.getCode().name();
                    rejected(method, code).increment();
                }
                super.close(status, trailers);
            }
        };
        return next.startCall(measured, headers);
    }

    private Timer timer(String method) {
        return timers.computeIfAbsent(method, m -> Timer.builder("dledger.rpc.requests").tag("method", m)
                .description("gRPC calls and their latency").serviceLevelObjectives(BUCKETS).register(registry));
    }

    private Counter rejected(String method, String code) {
        return rejections.computeIfAbsent(method + "/" + code, k -> Counter.builder("dledger.rpc.rejected")
                .tag("method", method).tag("code", code).description("calls answered with an error, by typed code")
                .register(registry));
    }
}
