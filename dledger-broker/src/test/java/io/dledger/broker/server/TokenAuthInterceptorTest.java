package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.config.AuthTokens;
import io.dledger.broker.config.TokenRole;
import io.dledger.proto.AdminServiceGrpc;
import io.dledger.proto.ConsumerServiceGrpc;
import io.dledger.proto.CreateTopicRequest;
import io.dledger.proto.MessagingServiceGrpc;
import io.dledger.proto.ProduceRequest;
import io.dledger.proto.PullRequest;
import io.dledger.proto.GroupSummary;
import io.dledger.proto.ListGroupsRequest;
import io.dledger.proto.ListGroupsResponse;
import io.dledger.proto.ListTopicsRequest;
import io.dledger.proto.ListTopicsResponse;
import io.dledger.proto.TopicInfo;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.AbstractBlockingStub;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens and their roles at the gRPC port: the services here answer every call {@code UNIMPLEMENTED}, so that code
 * means the interceptor let the call through.
 */
@Timeout(30)
class TokenAuthInterceptorTest {
    private static final String ORDERS = "orders-token-0123456789";
    private static final String TEAM_ADMIN = "team-admin-token-0123456789";
    private static final java.util.List<String> TOPICS = java.util.List.of("billing-eu", "orders", "payments");
    @TempDir
    Path dir;
    private Server server;
    /** Produce calls the handler saw. */
    private final java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        AuthTokens tokens = AuthTokens.load(Files.writeString(dir.resolve("tokens"), "admin-token-0123456789\n"
                + "writer-token-0123456789 write\nreader-token-0123456789 read\n"
                + ORDERS + " write topics=orders,billing-*\n" + TEAM_ADMIN + " admin topics=orders\n"));
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .intercept(new TokenAuthInterceptor(() -> tokens))
                .addService(new MessagingServiceGrpc.MessagingServiceImplBase() {
                    @Override
                    public void produce(ProduceRequest request, StreamObserver<io.dledger.proto.ProduceResponse> out) {
                        handled.incrementAndGet();
                        super.produce(request, out);
                    }
                }).addService(new AdminServiceGrpc.AdminServiceImplBase() {
                    @Override
                    public void listTopics(ListTopicsRequest request, StreamObserver<ListTopicsResponse> out) {
                        ListTopicsResponse.Builder b = ListTopicsResponse.newBuilder();
                        TOPICS.forEach(t -> b.addTopics(TopicInfo.newBuilder().setTopic(t)));
                        out.onNext(b.build());
                        out.onCompleted();
                    }
                }).addService(new ConsumerServiceGrpc.ConsumerServiceImplBase() {
                    @Override
                    public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> out) {
                        ListGroupsResponse.Builder b = ListGroupsResponse.newBuilder().setTruncated(true);
                        TOPICS.forEach(t -> b.addGroups(GroupSummary.newBuilder().setGroup("g").setTopic(t)));
                        out.onNext(b.build());
                        out.onCompleted();
                    }
                }).build().start();
        channel = NettyChannelBuilder.forTarget("127.0.0.1:" + server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    private <S extends AbstractBlockingStub<S>> S as(S stub, String token) {
        if (token == null) {
            return stub;
        }
        Metadata h = new Metadata();
        h.put(TokenAuthInterceptor.AUTHORIZATION, "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
    }

    /** The code each call gets with {@code token}. */
    private Map<String, Status.Code> codes(String token) {
        Map<String, Function<String, Object>> calls = Map.of(
                "pull", t -> as(MessagingServiceGrpc.newBlockingStub(channel), t)
                        .pull(PullRequest.getDefaultInstance()),
                "produce", t -> as(MessagingServiceGrpc.newBlockingStub(channel), t)
                        .produce(ProduceRequest.getDefaultInstance()),
                "createTopic", t -> as(AdminServiceGrpc.newBlockingStub(channel), t)
                        .createTopic(CreateTopicRequest.getDefaultInstance()));
        Map<String, Status.Code> out = new TreeMap<>();
        calls.forEach((name, call) -> {
            try {
                call.apply(token);
                out.put(name, Status.Code.OK);
            } catch (StatusRuntimeException e) {
                out.put(name, e.getStatus().getCode());
            }
        });
        return out;
    }

    @Test
    void eachRoleMakesTheCallsItAllows() {
        Status.Code through = Status.Code.UNIMPLEMENTED;
        Status.Code denied = Status.Code.PERMISSION_DENIED;
        assertThat(codes("reader-token-0123456789"))
                .isEqualTo(Map.of("pull", through, "produce", denied, "createTopic", denied));
        assertThat(codes("writer-token-0123456789"))
                .isEqualTo(Map.of("pull", through, "produce", through, "createTopic", denied));
        assertThat(codes("admin-token-0123456789"))
                .isEqualTo(Map.of("pull", through, "produce", through, "createTopic", through));
        assertThat(codes(null)).containsValues(Status.Code.UNAUTHENTICATED).doesNotContainValue(through);
        assertThat(codes("unknown-token-0123456789")).doesNotContainValue(through);
    }

    @Test
    void theRefusalNamesTheRoleTheCallNeeds() {
        try {
            as(MessagingServiceGrpc.newBlockingStub(channel), "reader-token-0123456789")
                    .produce(ProduceRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getDescription()).endsWith("the call's token has role read, and "
                    + "MessagingService/Produce needs write (roles in grpc.auth.tokens.file: read, write, admin)");
            return;
        }
        throw new AssertionError("not refused");
    }

    /** Reading and a group member's calls need read, producing write, and the rest (changes) admin. */
    @Test
    void everyCallNeedsTheRoleOfWhatItDoes() {
        Map<String, TokenRole> needed = new TreeMap<>();
        Stream.of(MessagingServiceGrpc.getServiceDescriptor(), AdminServiceGrpc.getServiceDescriptor(),
                        ConsumerServiceGrpc.getServiceDescriptor()).flatMap(d -> d.getMethods().stream())
                .map(MethodDescriptor::getFullMethodName)
                .forEach(m -> needed.put(m.substring(m.lastIndexOf('/') + 1), CallPermissions.needed(m)));
        assertThat(needed).containsOnlyKeys("Produce", "Pull", "OffsetsForTime", "CreateTopic", "DescribeTopic",
                "ListTopics", "GetNodeStatus", "DescribeCluster", "QueueDigests", "TakeSnapshot", "TransferLeadership",
                "DeleteTopic", "AddNode", "RemoveNode", "CommitOffsets", "FetchOffsets", "Heartbeat", "LeaveGroup",
                "ResetOffsets", "DeleteGroup", "DescribeGroup", "ListGroups");
        needed.forEach((call, role) -> assertThat(role).as(call).isEqualTo(switch (call) {
            case "Produce" -> TokenRole.WRITE;
            case "CreateTopic", "TakeSnapshot", "TransferLeadership", "DeleteTopic", "AddNode", "RemoveNode",
                    "ResetOffsets", "DeleteGroup", "QueueDigests" -> TokenRole.ADMIN;
            default -> TokenRole.READ;
        }));
        assertThat(CallPermissions.needed("dledger.v1.AdminService/SomethingNew")).isEqualTo(TokenRole.ADMIN);
    }

    /** The code of {@code call}: OK, or the status it failed with. */
    private static Status.Code code(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void aTokenLimitedToTopicsTouchesThoseTopicsOnly() {
        var messaging = as(MessagingServiceGrpc.newBlockingStub(channel), ORDERS);
        Function<String, ProduceRequest> to = t -> ProduceRequest.newBuilder().setTopic(t).build();
        assertThat(code(() -> messaging.produce(to.apply("orders")))).isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(code(() -> messaging.produce(to.apply("billing-eu")))).isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(handled).as("both reached the handler").hasValue(2);
        assertThat(code(() -> messaging.pull(PullRequest.newBuilder().setTopic("payments").build())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        try {
            messaging.produce(to.apply("payments"));
            throw new AssertionError("not refused");
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).endsWith("the call's token may touch only "
                    + "topics=orders,billing-* (grpc.auth.tokens.file), not MessagingService/Produce on topic "
                    + "'payments'");
        }
        assertThat(code(() -> messaging.produce(ProduceRequest.getDefaultInstance())))
                .as("no topic").isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(handled).as("the refused calls never reached the handler").hasValue(2);
        assertThat(code(() -> as(MessagingServiceGrpc.newBlockingStub(channel), "writer-token-0123456789")
                .produce(to.apply("payments")))).as("a token of every topic").isEqualTo(Status.Code.UNIMPLEMENTED);
    }

    @Test
    void theListingsATokenLimitedToTopicsGetsShowOnlyThoseTopics() {
        Function<String, java.util.List<String>> topics = token -> as(AdminServiceGrpc.newBlockingStub(channel), token)
                .listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList().stream().map(TopicInfo::getTopic)
                .toList();
        assertThat(topics.apply("reader-token-0123456789")).isEqualTo(TOPICS);
        assertThat(topics.apply(ORDERS)).containsExactly("billing-eu", "orders");
        ListGroupsResponse groups = as(ConsumerServiceGrpc.newBlockingStub(channel), ORDERS)
                .listGroups(ListGroupsRequest.getDefaultInstance());
        assertThat(groups.getGroupsList()).extracting(GroupSummary::getTopic).containsExactly("billing-eu", "orders");
        assertThat(groups.getTruncated()).as("the rest of the answer kept").isTrue();
        assertThat(code(() -> as(ConsumerServiceGrpc.newBlockingStub(channel), ORDERS)
                .listGroups(ListGroupsRequest.newBuilder().setTopic("payments").build())))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    /**
     * A token limited to topics, even an admin's, makes no call about the whole cluster (leadership, members,
     * snapshots) and none without a topic (but ListGroups, which lists them all, cut); status calls and every call
     * on one of its topics reach the handler.
     */
    @Test
    void aTokenLimitedToTopicsMakesNoClusterWideCall() {
        Map<String, Status.Code> onItsTopic = new TreeMap<>();
        Map<String, Status.Code> withoutTopic = new TreeMap<>();
        Stream.of(MessagingServiceGrpc.getServiceDescriptor(), AdminServiceGrpc.getServiceDescriptor(),
                        ConsumerServiceGrpc.getServiceDescriptor()).flatMap(d -> d.getMethods().stream())
                .forEach(m -> {
                    onItsTopic.put(m.getBareMethodName(), invoke(m, TEAM_ADMIN, "orders"));
                    withoutTopic.put(m.getBareMethodName(), invoke(m, TEAM_ADMIN, ""));
                });
        assertThat(onItsTopic).hasSize(22);
        assertThat(refused(onItsTopic)).containsOnlyKeys("TakeSnapshot", "TransferLeadership", "AddNode",
                "RemoveNode");
        assertThat(withoutTopic.keySet().stream().filter(m -> !refused(withoutTopic).containsKey(m)))
                .containsExactlyInAnyOrder("GetNodeStatus", "DescribeCluster", "ListTopics", "ListGroups");
        assertThat(invoke(AdminServiceGrpc.getTransferLeadershipMethod(), "admin-token-0123456789", ""))
                .as("an admin token of every topic").isEqualTo(Status.Code.UNIMPLEMENTED);
    }

    private static Map<String, Status.Code> refused(Map<String, Status.Code> codes) {
        Map<String, Status.Code> out = new TreeMap<>(codes);
        out.values().removeIf(c -> c != Status.Code.PERMISSION_DENIED);
        return out;
    }

    /** Calls {@code method} with {@code token} and a request naming {@code topic} if it has a topic, else empty. */
    @SuppressWarnings("unchecked")
    private <Q, R> Status.Code invoke(MethodDescriptor<Q, R> method, String token, String topic) {
        Metadata h = new Metadata();
        h.put(TokenAuthInterceptor.AUTHORIZATION, "Bearer " + token);
        com.google.protobuf.Message empty = (com.google.protobuf.Message)
                ((MethodDescriptor.PrototypeMarshaller<Q>) method.getRequestMarshaller()).getMessagePrototype();
        var field = empty.getDescriptorForType().findFieldByName("topic");
        Q request = (Q) (field == null ? empty : empty.toBuilder().setField(field, topic).build());
        return code(() -> ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(channel,
                MetadataUtils.newAttachHeadersInterceptor(h)), method, CallOptions.DEFAULT, request));
    }
}
