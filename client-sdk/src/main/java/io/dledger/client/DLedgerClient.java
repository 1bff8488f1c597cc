package io.dledger.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Entry point of the SDK: a connection to one dledger cluster, from which producers, pull consumers and the admin
 * client are obtained.
 *
 * <pre>{@code
 * try (DLedgerClient client = DLedgerClient.builder().seeds("10.0.0.1:7001,10.0.0.2:7001,10.0.0.3:7001").build()) {
 *     client.admin().createTopic("orders", 4);
 *     try (Producer producer = client.newProducer()) {
 *         SendResult r = producer.send("orders", Message.of("hello").withKey("order-42"));
 *     }
 *     PullResult page = client.newPullConsumer().pull("orders", 0, 0, 32);
 * }
 * }</pre>
 *
 * <p><b>Discovery and routing.</b> The seeds are addresses of some (ideally all) nodes. The client asks them for
 * {@code GetNodeStatus} to learn node ids, the whole configuration and the leader; a node id is then reached through
 * the seed address that answered as that id, or else through the address the node advertises. Writes and default
 * reads go to the leader. A {@code NOT_LEADER} rejection naming the leader switches to it at once; other transient
 * failures (no leader named, node unavailable or busy, attempt timeout, connection failure) make the client ask all
 * nodes who leads and retry after a short jittered backoff (10 ms doubling to 200 ms), until the operation timeout.
 *
 * <p><b>Timeouts.</b> {@link Builder#requestTimeout(Duration)} bounds one attempt (one RPC);
 * {@link Builder#operationTimeout(Duration)} bounds a whole call, retries included. When it elapses the call fails
 * with the last attempt's error.
 *
 * <p><b>Threading.</b> Thread-safe: one client is meant to be shared by the whole application; everything is
 * asynchronous underneath (gRPC asynchronous calls, one timer thread for backoff, a small worker pool), so any
 * number of asynchronous operations can be in flight without a thread each. Callbacks attached to returned futures
 * run on gRPC or client threads and should not block. The synchronous methods wait for the asynchronous ones.
 *
 * <p>{@link #close()} closes the push consumers made from the client that are still open, then fails every operation
 * still in flight and shuts all channels down.
 */
public final class DLedgerClient implements AutoCloseable {

    private final ClusterRouter router;
    private final DefaultAdminClient admin;
    private final SecureRandom random = new SecureRandom();
    /** Push consumers made from this client and not closed yet: {@link #close()} closes them first. */
    private final Set<PushConsumer> pushConsumers = ConcurrentHashMap.newKeySet();

    private DLedgerClient(ClientConfig config) {
        this.router = new ClusterRouter(config);
        this.admin = new DefaultAdminClient(router);
    }

    /**
     * A builder with the default settings.
     *
     * @return a new builder; at least the seeds must be set
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A new producer. Producers are cheap; each has its own random non-zero producer id and sequence.
     *
     * @return a new producer sharing this client's channels
     */
    public Producer newProducer() {
        ensureOpen();
        return new DefaultProducer(router, random); // SecureRandom is thread-safe
    }

    /**
     * A new pull consumer.
     *
     * @return a new pull consumer sharing this client's channels
     */
    public PullConsumer newPullConsumer() {
        ensureOpen();
        return new DefaultPullConsumer(router);
    }

    /**
     * A new push consumer: a member of {@code options.group()} that delivers the queues the group assigns it to
     * {@code listener}. Call {@link PushConsumer#start()} to begin.
     *
     * @param options  group, topic, threads, retries...
     * @param listener processes each message
     * @return a new push consumer sharing this client's channels
     */
    public PushConsumer newPushConsumer(PushConsumerOptions options, MessageListener listener) {
        ensureOpen();
        DefaultPushConsumer consumer = new DefaultPushConsumer(router, options, listener, newProducer(), admin,
                pushConsumers::remove);
        pushConsumers.add(consumer);
        return consumer;
    }

    /**
     * The admin client.
     *
     * @return the client's (single, shared) admin client
     */
    public AdminClient admin() {
        return admin;
    }

    /**
     * Closes the push consumers made from this client that are still open (each commits what it processed and leaves
     * its group, see {@link PushConsumer#close()}), then fails operations still in flight with a
     * {@link DLedgerException} and shuts the channels down. Idempotent.
     */
    @Override
    public void close() {
        for (PushConsumer c : List.copyOf(pushConsumers)) {
            c.close();
        }
        router.close();
    }

    private void ensureOpen() {
        if (router.isClosed()) {
            throw Errors.closed("client");
        }
    }

    /**
     * Settings of a {@link DLedgerClient}. Not thread-safe; use from one thread, then {@link #build()}.
     */
    public static final class Builder {

        private final List<String> seeds = new ArrayList<>();
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration operationTimeout = Duration.ofSeconds(30);
        private int maxInboundMessageBytes = 64 * 1024 * 1024;
        private int maxInFlightPerProducer = SendWindow.MAX_CAPACITY;
        private Function<String, ManagedChannel> channelFactory;
        private java.nio.file.Path trustedCertificates;
        private BearerToken token;

        private Builder() {
        }

        /**
         * Seed addresses, comma separated. Replaces seeds given before.
         *
         * @param commaSeparatedHostPorts {@code host:port[,host:port...]}; whitespace around entries is ignored
         * @return this builder
         */
        public Builder seeds(String commaSeparatedHostPorts) {
            Objects.requireNonNull(commaSeparatedHostPorts, "seeds");
            List<String> list = new ArrayList<>();
            for (String s : commaSeparatedHostPorts.split(",")) {
                list.add(s);
            }
            return seeds(list);
        }

        /**
         * Seed addresses. Replaces seeds given before.
         *
         * @param hostPorts addresses, each {@code host:port} (an IPv6 host in brackets); blank entries are ignored
         * @return this builder
         * @throws IllegalArgumentException for an entry that is not {@code host:port} with a port in 1..65535
         */
        public Builder seeds(List<String> hostPorts) {
            Objects.requireNonNull(hostPorts, "seeds");
            seeds.clear();
            for (String s : hostPorts) {
                String trimmed = s == null ? "" : s.trim();
                if (!trimmed.isEmpty()) {
                    seeds.add(checkHostPort(trimmed));
                }
            }
            return this;
        }

        private static String checkHostPort(String address) {
            int colon = address.lastIndexOf(':');
            String host = colon < 0 ? "" : address.substring(0, colon);
            String digits = colon < 0 ? "" : address.substring(colon + 1);
            boolean hostOk = !host.isBlank() && !(host.contains(":") && !host.startsWith("["));
            if (!hostOk || !digits.matches("[0-9]+")) {
                throw new IllegalArgumentException("seed address '" + address + "' is not host:port (e.g. "
                        + "127.0.0.1:9101, a node's gRPC port)");
            }
            int port = digits.length() > 5 ? 0 : Integer.parseInt(digits);
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("seed address '" + address + "': port " + digits
                        + " is out of range (1-65535)");
            }
            return address;
        }

        /**
         * Deadline of one RPC attempt.
         *
         * @param timeout positive duration (default 5 s)
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /**
         * Deadline of a whole operation, every retry included.
         *
         * @param timeout positive duration (default 30 s)
         * @return this builder
         */
        public Builder operationTimeout(Duration timeout) {
            this.operationTimeout = positive(timeout, "operationTimeout");
            return this;
        }

        /**
         * Largest response the client accepts; applied to every call. Pulls ask for at most half of it in message
         * bytes; keep it above the nodes' {@code message.max.bytes} plus 256 KiB (a message's key, tags and
         * properties), or a pull that reaches a message that large fails with {@link ErrorCode#LIMIT_EXCEEDED}.
         *
         * @param bytes positive size in bytes (default 64 MiB)
         * @return this builder
         */
        public Builder maxInboundMessageBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxInboundMessageBytes must be > 0");
            }
            this.maxInboundMessageBytes = bytes;
            return this;
        }

        /**
         * Requests one producer may have on the wire at once (default and most 120: under half the broker's
         * per-producer deduplication window of 256, so a retried request does not fall out of it, however retries
         * reorder requests). Further asynchronous sends wait in memory, in order; see {@link Producer}.
         *
         * @param requests within 1..120
         * @return this builder
         */
        public Builder maxInFlightPerProducer(int requests) {
            if (requests < 1 || requests > SendWindow.MAX_CAPACITY) {
                throw new IllegalArgumentException(
                        "maxInFlightPerProducer must be within 1.." + SendWindow.MAX_CAPACITY + ": " + requests);
            }
            this.maxInFlightPerProducer = requests;
            return this;
        }

        /**
         * Connects with TLS, trusting the certificates in {@code trustedCertificates} (a PEM file: the CA that signed
         * the nodes' {@code grpc.tls.cert}, or that certificate itself). Each node's certificate must name the host
         * the client reaches it by (a seed's host, or the host of its advertised address) as a subject alternative
         * name. Without it (default) the client connects in plaintext.
         *
         * @param trustedCertificates PEM file of trusted certificates, or {@code null} for plaintext
         * @return this builder
         */
        public Builder tls(java.nio.file.Path trustedCertificates) {
            this.trustedCertificates = trustedCertificates;
            return this;
        }

        /**
         * Sends {@code token} with every call, for nodes that serve only calls with one of their tokens
         * ({@code grpc.auth.tokens.file}); with custom channels ({@link #channelFactory}) too. Use it with
         * {@link #tls}:
         * over plaintext the token crosses the network readable. A node that does not accept it answers
         * {@link ErrorCode#UNAUTHENTICATED}, which is not retried.
         *
         * @param token the token (printable ASCII without spaces), or {@code null} for none (default)
         * @return this builder
         * @throws IllegalArgumentException for an empty token, or one with spaces or other characters
         */
        public Builder token(String token) {
            this.token = token == null ? null : new BearerToken(token);
            return this;
        }

        /**
         * How to open the channel for an address (default: a plaintext Netty channel with the configured inbound
         * size limit and modest keepalive, TLS with {@link #tls}). Use it to add interceptors, client certificates, a
         * custom executor or another transport; it replaces {@link #tls}.
         * The client owns the channels it obtains and shuts them down on {@link DLedgerClient#close()}. The inbound
         * size limit and deadlines are also set per call, so they hold for custom channels too.
         *
         * @param factory maps a {@code host:port} address (a seed or an advertised address) to a new channel
         * @return this builder
         */
        public Builder channelFactory(Function<String, ManagedChannel> factory) {
            this.channelFactory = Objects.requireNonNull(factory, "channelFactory");
            return this;
        }

        /**
         * Builds the client; it connects lazily, on first use.
         *
         * @return a new client
         * @throws IllegalArgumentException when no seed was given, or the {@link #tls} file cannot be read as PEM
         *                                  certificates
         */
        public DLedgerClient build() {
            if (seeds.isEmpty()) {
                throw new IllegalArgumentException("at least one seed address is needed");
            }
            int maxInbound = maxInboundMessageBytes;
            ChannelCredentials credentials = ClientTls.credentials(trustedCertificates);
            Function<String, ManagedChannel> factory = channelFactory != null ? channelFactory
                    : address -> defaultChannel(address, credentials, maxInbound);
            return new DLedgerClient(new ClientConfig(List.copyOf(new LinkedHashSet<>(seeds)), requestTimeout,
                    operationTimeout, maxInboundMessageBytes, maxInFlightPerProducer, factory, token));
        }

        private static ManagedChannel defaultChannel(String address, ChannelCredentials credentials,
                                                     int maxInboundMessageBytes) {
            return Grpc.newChannelBuilder(address, credentials)
                    .maxInboundMessageSize(maxInboundMessageBytes)
                    .keepAliveTime(30, TimeUnit.SECONDS)
                    .keepAliveTimeout(10, TimeUnit.SECONDS)
                    .keepAliveWithoutCalls(false)
                    // callbacks only complete futures and schedule retries: run them on the I/O thread
                    // instead of handing every response to another thread
                    .directExecutor()
                    .userAgent("dledger-client")
                    .build();
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
