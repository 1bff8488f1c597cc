package io.dledger.broker.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.ConnectionClosedEventListener;
import com.alipay.sofa.jraft.rpc.impl.core.AppendEntriesRequestProcessor;
import com.alipay.sofa.jraft.rpc.impl.core.RequestVoteRequestProcessor;
import com.alipay.sofa.jraft.rpc.RpcRequests.AppendEntriesRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class InlineAppendEntriesServerTest {
    private final List<RpcProcessor<?>> registered = new ArrayList<>();
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

        AppendEntriesRequest request = AppendEntriesRequest.newBuilder().setGroupId("g").setServerId("a:1")
                .setPeerId("b:2").setTerm(1).setPrevLogIndex(0).setPrevLogTerm(0).setCommittedIndex(0).build();
        @SuppressWarnings("unchecked")
        RpcProcessor<Object> asObject = (RpcProcessor<Object>) wrapped;
        asObject.handleRequest(null, request);
        assertThat(handled.get()).isSameAs(request);
        raft.shutdownNow();
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
