package io.dledger.broker.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.ConnectionClosedEventListener;
import com.alipay.sofa.jraft.rpc.impl.core.AppendEntriesRequestProcessor;
import com.alipay.sofa.jraft.rpc.impl.core.RequestVoteRequestProcessor;
import com.alipay.sofa.jraft.rpc.RpcRequests.AppendEntriesRequest;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class InlineAppendEntriesServerTest {
    private final List<RpcProcessor<?>> registered = new CopyOnWriteArrayList<>();
    private boolean shutDown;
    private final RpcServer bolt = new RpcServer() {
        @Override
        public void registerConnectionClosedEventListener(ConnectionClosedEventListener listener) {
        }

        @Override
        public void registerProcessor(RpcProcessor<?> processor) {
            registered.add(processor);
        }

        @Override
        public int boundPort() {
            return 0;
        }

        @Override
        public boolean init(Void opts) {
            return true;
        }

        @Override
        public void shutdown() {
            shutDown = true;
        }
    };

    @Test
    void appendEntriesRunOnTheThreadThatReadThemAndKeepTheirProcessor() {
        ExecutorService raft = Executors.newSingleThreadExecutor();
        InlineAppendEntriesServer server = new InlineAppendEntriesServer(bolt, raft);
        AtomicReference<Object> handled = new AtomicReference<>();
        server.registerProcessor(new AppendEntriesRequestProcessor(raft) {
            @Override
            public void handleRequest(RpcContext rpcCtx, AppendEntriesRequest request) {
                handled.set(request);
            }
        });

        RpcProcessor<?> wrapped = registered.get(0);
        assertThat(wrapped).isNotInstanceOf(AppendEntriesRequestProcessor.class);
        assertThat(wrapped.interest()).isEqualTo(AppendEntriesRequest.class.getName());
        assertThat(wrapped.executorSelector()).isNull(); // not JRaft's one executor thread per leader
        Thread caller = Thread.currentThread();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        wrapped.executor().execute(() -> ranOn.set(Thread.currentThread()));
        assertThat(ranOn.get()).isSameAs(caller);

        AppendEntriesRequest request = from("127.0.0.1:1", 0);
        @SuppressWarnings("unchecked")
        RpcProcessor<Object> asObject = (RpcProcessor<Object>) wrapped;
        asObject.handleRequest(null, request);
        assertThat(handled.get()).isSameAs(request);
        raft.shutdownNow();
    }

    private static AppendEntriesRequest from(String leader, long committedIndex) {
        return AppendEntriesRequest.newBuilder().setGroupId("g").setServerId(leader).setPeerId("127.0.0.1:2")
                .setTerm(1).setPrevLogIndex(0).setPrevLogTerm(0).setCommittedIndex(committedIndex).build();
    }

    @Test
    void oneLeadersRequestsAreHandledOneAtATimeEvenFromTwoThreads() throws Exception {
        ExecutorService raft = Executors.newSingleThreadExecutor();
        ExecutorService ioThreads = Executors.newFixedThreadPool(3);
        Set<String> entered = ConcurrentHashMap.newKeySet();
        CountDownLatch release = new CountDownLatch(1);
        new InlineAppendEntriesServer(bolt, raft).registerProcessor(new AppendEntriesRequestProcessor(raft) {
            @Override
            public void handleRequest(RpcContext rpcCtx, AppendEntriesRequest request) {
                entered.add(request.getServerId() + "#" + request.getCommittedIndex());
                if (request.getCommittedIndex() == 1) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        });
        @SuppressWarnings("unchecked")
        RpcProcessor<Object> wrapped = (RpcProcessor<Object>) registered.get(0);
        try {
            ioThreads.execute(() -> wrapped.handleRequest(null, from("127.0.0.1:1", 1))); // waits inside
            await().atMost(Duration.ofSeconds(5)).until(() -> entered.contains("127.0.0.1:1#1"));
            ioThreads.execute(() -> wrapped.handleRequest(null, from("127.0.0.1:1", 2))); // same leader, 2nd conn.
            ioThreads.execute(() -> wrapped.handleRequest(null, from("127.0.0.1:3", 1))); // another leader
            await().atMost(Duration.ofSeconds(5)).until(() -> entered.contains("127.0.0.1:3#1"));
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                    .until(() -> !entered.contains("127.0.0.1:1#2"));
            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> entered.contains("127.0.0.1:1#2"));
        } finally {
            release.countDown();
            ioThreads.shutdownNow();
            raft.shutdownNow();
        }
    }

    @Test
    void otherProcessorsAreRegisteredAsTheyAre() {
        ExecutorService raft = Executors.newSingleThreadExecutor();
        InlineAppendEntriesServer server = new InlineAppendEntriesServer(bolt, raft);
        RequestVoteRequestProcessor vote = new RequestVoteRequestProcessor(raft);
        server.registerProcessor(vote);
        assertThat(registered).containsExactly(vote);
        raft.shutdownNow();
    }

    @Test
    void shutdownStopsTheServerAndTheExecutorsItWasGiven() {
        ExecutorService raft = Executors.newSingleThreadExecutor();
        ExecutorService cli = Executors.newSingleThreadExecutor();
        new InlineAppendEntriesServer(bolt, raft, cli).shutdown();
        assertThat(shutDown).isTrue();
        assertThat(raft.isShutdown()).isTrue();
        assertThat(cli.isShutdown()).isTrue();
    }
}
