package io.dledger.client;

import io.dledger.proto.AdminServiceGrpc;
import io.dledger.proto.CommitOffsetsRequest;
import io.dledger.proto.CommitOffsetsResponse;
import io.dledger.proto.ConsumerServiceGrpc;
import io.dledger.proto.FetchOffsetsRequest;
import io.dledger.proto.FetchOffsetsResponse;
import io.dledger.proto.HeartbeatRequest;
import io.dledger.proto.HeartbeatResponse;
import io.dledger.proto.LeaveGroupRequest;
import io.dledger.proto.LeaveGroupResponse;
import io.dledger.proto.Assignment;
import io.dledger.proto.CreateTopicRequest;
import io.dledger.proto.CreateTopicResponse;
import io.dledger.proto.ErrorDetail;
import io.dledger.proto.MessagingServiceGrpc;
import io.dledger.proto.NodeRef;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.NodeStatusRequest;
import io.dledger.proto.ProduceRequest;
import io.dledger.proto.ProduceResponse;
import io.dledger.proto.PullRequest;
import io.dledger.proto.PullResponse;
import io.dledger.proto.Role;
import io.dledger.proto.TakeSnapshotRequest;
import io.dledger.proto.TakeSnapshotResponse;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A scriptable in-process stand-in for one broker node. Thread-safe (volatile behaviour, concurrent logs). */
final class FakeNode {

    /** Handles one unary call. */
    @FunctionalInterface
    interface Handler<Q, R> {
        void handle(Q request, StreamObserver<R> response);
    }

    final String id;
    final String serverName;
    volatile String advertisedAddress;
    volatile Role role = Role.FOLLOWER;
    volatile long term;
    volatile NodeRef leader;
    volatile List<NodeRef> peers = List.of();

    final List<ProduceRequest> produces = new CopyOnWriteArrayList<>();
    final List<PullRequest> pulls = new CopyOnWriteArrayList<>();
    final AtomicInteger statusCalls = new AtomicInteger();
    final AtomicInteger snapshotCalls = new AtomicInteger();
    final AtomicInteger createTopicCalls = new AtomicInteger();
    private final AtomicLong nextOffset = new AtomicLong();

    volatile Handler<ProduceRequest, ProduceResponse> produce = this::defaultProduce;
    volatile Handler<PullRequest, PullResponse> pull = this::defaultPull;
    volatile Handler<TakeSnapshotRequest, TakeSnapshotResponse> takeSnapshot =
            (r, o) -> reply(o, TakeSnapshotResponse.newBuilder().setSnapshotIndex(42).build());
    volatile Handler<CreateTopicRequest, CreateTopicResponse> createTopic = this::defaultCreateTopic;
    /** When positive: the first status call is answered this late. */
    volatile long firstStatusDelayMs;
    private final AtomicBoolean statusDelayed = new AtomicBoolean();
    /** Unset: the call is UNIMPLEMENTED. */
    volatile Handler<io.dledger.proto.TransferLeadershipRequest, io.dledger.proto.TransferLeadershipResponse>
            transferLeadership;
    /** Consumer groups: by default every heartbeat is answered with queue 0, whose committed offset is 0. */
    volatile Handler<HeartbeatRequest, HeartbeatResponse> heartbeat = (r, o) -> reply(o,
            HeartbeatResponse.newBuilder().addQueues(0).setHeartbeatIntervalMs(500).setSessionTimeoutMs(2000).build());
    volatile Handler<FetchOffsetsRequest, FetchOffsetsResponse> fetchOffsets = (r, o) -> reply(o,
            FetchOffsetsResponse.newBuilder().addOffsets(io.dledger.proto.QueueOffset.newBuilder().setQueue(0)
                    .setOffset(0)).build());
    /** Unset: OffsetsForTime is not implemented (a node of an older version). */
    volatile Handler<io.dledger.proto.OffsetsForTimeRequest, io.dledger.proto.OffsetsForTimeResponse> offsetsForTime;
    /** Unset: DescribeTopic is not implemented. */
    volatile Handler<io.dledger.proto.DescribeTopicRequest, io.dledger.proto.TopicInfo> describeTopic;
    final List<CommitOffsetsRequest> commits = new CopyOnWriteArrayList<>();
    /** "heartbeat" and "leave", in the order they arrived. */
    final List<String> groupCalls = new CopyOnWriteArrayList<>();
    volatile Handler<CommitOffsetsRequest, CommitOffsetsResponse> commitOffsets =
            (r, o) -> reply(o, CommitOffsetsResponse.getDefaultInstance());

    private Server server;

    FakeNode(String id, String serverName, String advertisedAddress) {
        this.id = id;
        this.serverName = serverName;
        this.advertisedAddress = advertisedAddress;
    }

    NodeRef ref() {
        return NodeRef.newBuilder().setId(id).setGrpcAddress(advertisedAddress).setRaftAddress(id + ":8000").build();
    }

    NodeStatus status() {
        NodeStatus.Builder b = NodeStatus.newBuilder().setSelf(ref()).setRole(role).setTerm(term)
                .setCommitIndex(10).setAppliedIndex(9).setLastLogIndex(11).setLastSnapshotIndex(5)
                .addAllPeers(peers);
        if (leader != null) {
            b.setLeader(leader);
        }
        return b.build();
    }

    synchronized void start() {
        try {
            server = InProcessServerBuilder.forName(serverName).directExecutor()
                    .addService(new Messaging()).addService(new Admin()).addService(new Consumer()).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serves on a real Netty server on a free localhost port, advertising {@code 127.0.0.1:<port>}. */
    synchronized int startOnNetty() {
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
                    .addService(new Messaging()).addService(new Admin()).addService(new Consumer()).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int port = server.getPort();
        advertisedAddress = "127.0.0.1:" + port;
        peers = List.of(ref());
        return port;
    }

    synchronized void stop() {
        if (server != null) {
            server.shutdownNow();
            server = null;
        }
    }

    // ------------------------------------------------------------------ default behaviour

    private void defaultProduce(ProduceRequest request, StreamObserver<ProduceResponse> response) {
        if (role != Role.LEADER) {
            response.onError(error(Status.Code.FAILED_PRECONDITION, ErrorCode.NOT_LEADER, "not the leader", leader));
            return;
        }
        reply(response, success(request, false));
    }

    /** A successful answer assigning consecutive offsets of queue 0 (or the message's queue). */
    ProduceResponse success(ProduceRequest request, boolean duplicate) {
        ProduceResponse.Builder b = ProduceResponse.newBuilder().setStoreTimestamp(1_000L)
                .setRaftIndex(100 + nextOffset.get()).setDuplicate(duplicate);
        request.getMessagesList().forEach(m -> b.addAssignments(Assignment.newBuilder()
                .setQueue(m.hasQueue() ? m.getQueue() : 0).setOffset(nextOffset.getAndIncrement())));
        return b.build();
    }

    private void defaultPull(PullRequest request, StreamObserver<PullResponse> response) {
        reply(response, PullResponse.newBuilder().setServedBy(id).setNextOffset(request.getOffset())
                .setMinOffset(0).setMaxOffset(request.getOffset()).build());
    }

    private void defaultCreateTopic(CreateTopicRequest request, StreamObserver<CreateTopicResponse> response) {
        if (role != Role.LEADER) {
            response.onError(error(Status.Code.FAILED_PRECONDITION, ErrorCode.NOT_LEADER, "not the leader", leader));
            return;
        }
        reply(response, CreateTopicResponse.newBuilder().setTopic(request.getTopic())
                .setQueues(request.getQueues()).setCreated(true).build());
    }

    static <R> void reply(StreamObserver<R> observer, R value) {
        observer.onNext(value);
        observer.onCompleted();
    }

    /** The broker's refusal of a pull outside a queue's stored offsets [{@code min}, {@code max}). */
    static StatusRuntimeException outOfRange(long min, long max) {
        Metadata trailers = new Metadata();
        trailers.put(Errors.ERROR_DETAIL_KEY, ErrorDetail.newBuilder()
                .setCode(io.dledger.proto.ErrorCode.OFFSET_OUT_OF_RANGE)
                .setMessage("offset is outside [" + min + ", " + max + ")").setMinOffset(min).setMaxOffset(max).build());
        return Status.OUT_OF_RANGE.withDescription("out of range").asRuntimeException(trailers);
    }

    /** A broker-style failure: gRPC status plus the dledger-error-bin trailer. */
    static StatusRuntimeException error(Status.Code code, ErrorCode errorCode, String message, NodeRef leader) {
        ErrorDetail.Builder detail = ErrorDetail.newBuilder()
                .setCode(io.dledger.proto.ErrorCode.valueOf(errorCode.name())).setMessage(message);
        if (leader != null) {
            detail.setLeader(leader);
        }
        Metadata trailers = new Metadata();
        trailers.put(Errors.ERROR_DETAIL_KEY, detail.build());
        return Status.fromCode(code).withDescription(message).asRuntimeException(trailers);
    }

    // ------------------------------------------------------------------ services

    private final class Messaging extends MessagingServiceGrpc.MessagingServiceImplBase {
        @Override
        public void produce(ProduceRequest request, StreamObserver<ProduceResponse> response) {
            produces.add(request);
            produce.handle(request, response);
        }

        @Override
        public void pull(PullRequest request, StreamObserver<PullResponse> response) {
            pulls.add(request);
            pull.handle(request, response);
        }

        @Override
        public void offsetsForTime(io.dledger.proto.OffsetsForTimeRequest request,
                                   StreamObserver<io.dledger.proto.OffsetsForTimeResponse> response) {
            if (offsetsForTime == null) {
                super.offsetsForTime(request, response);
            } else {
                offsetsForTime.handle(request, response);
            }
        }
    }

    private final class Consumer extends ConsumerServiceGrpc.ConsumerServiceImplBase {
        @Override
        public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
            groupCalls.add("heartbeat");
            heartbeat.handle(request, response);
        }

        @Override
        public void fetchOffsets(FetchOffsetsRequest request, StreamObserver<FetchOffsetsResponse> response) {
            fetchOffsets.handle(request, response);
        }

        @Override
        public void commitOffsets(CommitOffsetsRequest request, StreamObserver<CommitOffsetsResponse> response) {
            commits.add(request);
            commitOffsets.handle(request, response);
        }

        @Override
        public void leaveGroup(LeaveGroupRequest request, StreamObserver<LeaveGroupResponse> response) {
            groupCalls.add("leave");
            reply(response, LeaveGroupResponse.getDefaultInstance());
        }
    }

    private final class Admin extends AdminServiceGrpc.AdminServiceImplBase {
        @Override
        public void getNodeStatus(NodeStatusRequest request, StreamObserver<NodeStatus> response) {
            statusCalls.incrementAndGet();
            long delay = firstStatusDelayMs;
            if (delay > 0 && statusDelayed.compareAndSet(false, true)) { // a slow first answer (a new connection)
                NodeStatus s = status();
                java.util.concurrent.CompletableFuture
                        .delayedExecutor(delay, java.util.concurrent.TimeUnit.MILLISECONDS)
                        .execute(() -> reply(response, s));
                return;
            }
            reply(response, status());
        }

        @Override
        public void createTopic(CreateTopicRequest request, StreamObserver<CreateTopicResponse> response) {
            createTopicCalls.incrementAndGet();
            createTopic.handle(request, response);
        }

        @Override
        public void describeTopic(io.dledger.proto.DescribeTopicRequest request,
                                  StreamObserver<io.dledger.proto.TopicInfo> response) {
            if (describeTopic == null) {
                super.describeTopic(request, response);
            } else {
                describeTopic.handle(request, response);
            }
        }

        @Override
        public void takeSnapshot(TakeSnapshotRequest request, StreamObserver<TakeSnapshotResponse> response) {
            snapshotCalls.incrementAndGet();
            takeSnapshot.handle(request, response);
        }

        @Override
        public void transferLeadership(io.dledger.proto.TransferLeadershipRequest request,
                                       StreamObserver<io.dledger.proto.TransferLeadershipResponse> response) {
            if (transferLeadership == null) {
                super.transferLeadership(request, response);
            } else {
                transferLeadership.handle(request, response);
            }
        }
    }
}
