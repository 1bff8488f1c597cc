package io.dledger.broker.raft;

import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.alipay.sofa.jraft.rpc.RpcRequests.AppendEntriesRequest;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.ConnectionClosedEventListener;
import com.alipay.sofa.jraft.rpc.impl.core.AppendEntriesRequestProcessor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/**
 * A Raft RPC server that handles AppendEntries requests (and heartbeats) on the I/O thread that read them,
 * instead of on the per-leader executor thread JRaft's {@link AppendEntriesRequestProcessor} selects; every
 * other request keeps its processor's executor.
 *
 * <p>Ordering: one connection is read by one I/O thread, and Bolt handles a connection's messages in order
 * there (see {@link IoThreadReplication#install()}), so a leader's requests on a connection are handled in the
 * order it sent them, which JRaft's pipelined replication relies on. The requests of one leader are also handled
 * one at a time: while a leader reconnects, two of its connections may be read by two I/O threads at once, and
 * JRaft's per-leader state (the sequence numbers its responses are ordered by) is not thread-safe. Responses are
 * written in sequence order but may overtake each other on the wire (an immediate rejection written on the I/O
 * thread goes out before a success the disk thread queued), which the leader's replicator tolerates: it
 * handles responses by their sequence numbers.
 *
 * <p>Trade-off: while a request waits (the node's lock, a read of the previous entry's term from the log, a full
 * state machine queue), the I/O thread reads nothing else, where JRaft's executor would have queued the request
 * and kept reading; {@code raft.rpc.inline=false} restores that. Shutting the server down also stops the executors
 * it was given, after their running tasks. Thread-safe.
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
        @SuppressWarnings("unchecked")
        RpcProcessor<Object> target = (RpcProcessor<Object>) (RpcProcessor<?>) processor;
        Map<String, Object> leaderLocks = new ConcurrentHashMap<>();
        return new RpcProcessor<>() {
            @Override
            public void handleRequest(RpcContext rpcCtx, Object request) {
                AppendEntriesRequest r = (AppendEntriesRequest) request;
                Object leader = leaderLocks.computeIfAbsent(r.getGroupId() + '/' + r.getServerId() + '>'
                        + r.getPeerId(), k -> new Object());
                synchronized (leader) {
                    target.handleRequest(rpcCtx, request);
                }
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
                    service.shutdown();
                }
            }
        }
    }
}
