package io.dledger.broker.raft;

import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.ConnectionClosedEventListener;
import com.alipay.sofa.jraft.rpc.impl.core.AppendEntriesRequestProcessor;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/**
 * A Raft RPC server that handles AppendEntries requests on the I/O thread that read them, instead of on the
 * per-leader executor thread JRaft's {@link AppendEntriesRequestProcessor} selects; every other request keeps
 * its processor's executor. One connection is read by one I/O thread and Bolt keeps a connection's messages in
 * order there (see {@link IoThreadReplication#install()}), so a leader's requests are handled in the order it
 * sent them, the guarantee JRaft's pipelined replication relies on. Shutting it down also stops the
 * executors it was given. Thread-safe.
 */
final class InlineAppendEntriesServer implements RpcServer {
    private static final Executor ON_CALLER = Runnable::run;

    private final RpcServer delegate;
    private final Executor[] owned;

    InlineAppendEntriesServer(RpcServer delegate, Executor... owned) {
        this.delegate = delegate;
        this.owned = owned.clone();
    }

    @Override
    public void registerProcessor(RpcProcessor<?> processor) {
        delegate.registerProcessor(processor instanceof AppendEntriesRequestProcessor p ? onIoThread(p) : processor);
    }

    private static RpcProcessor<Object> onIoThread(AppendEntriesRequestProcessor processor) {
        return new RpcProcessor<>() {
            @Override
            @SuppressWarnings("unchecked")
            public void handleRequest(RpcContext rpcCtx, Object request) {
                ((RpcProcessor<Object>) (RpcProcessor<?>) processor).handleRequest(rpcCtx, request);
            }

            @Override
            public String interest() {
                return processor.interest();
            }

            @Override
            public Executor executor() {
                return ON_CALLER;
            }
        };
    }

    @Override
    public void registerConnectionClosedEventListener(ConnectionClosedEventListener listener) {
        delegate.registerConnectionClosedEventListener(listener);
    }

    @Override
    public int boundPort() {
        return delegate.boundPort();
    }

    @Override
    public boolean init(Void opts) {
        return delegate.init(opts);
    }

    @Override
    public void shutdown() {
        try {
            delegate.shutdown();
        } finally {
            for (Executor executor : owned) {
                if (executor instanceof ExecutorService service) {
                    service.shutdownNow();
                }
            }
        }
    }
}
