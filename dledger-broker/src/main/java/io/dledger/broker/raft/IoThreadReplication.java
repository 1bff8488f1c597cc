package io.dledger.broker.raft;

import com.alipay.remoting.ProtocolCode;
import com.alipay.remoting.ProtocolManager;
import com.alipay.remoting.RemotingContext;
import com.alipay.remoting.RemotingCommand;
import com.alipay.remoting.rpc.protocol.RpcCommandCode;
import com.alipay.remoting.rpc.protocol.RpcProtocol;
import com.alipay.remoting.rpc.protocol.RpcProtocolV2;
import com.alipay.remoting.rpc.protocol.RpcResponseProcessor;
import com.alipay.sofa.jraft.JRaftUtils;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.rpc.RaftRpcServerFactory;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.util.Endpoint;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes two of the thread hand-offs JRaft 1.3.15 and Bolt put on the path of every replicated write, each a
 * thread wake-up:
 * <ul>
 *   <li>a follower handles each AppendEntries request on the I/O thread of the connection it came on,
 *       instead of JRaft's executor thread for that leader ({@link InlineAppendEntriesServer}). One connection
 *       is read by one I/O thread, and {@link #install()} makes Bolt keep a connection's messages in order
 *       there, so a leader's requests are still handled in the order it sent them;</li>
 *   <li>Bolt processes every response (AppendEntries, votes, snapshots, ...) on the I/O thread that read it,
 *       instead of handing it to its default executor, which then handed the callback to the executor JRaft
 *       gave it. The callback still runs on that executor: JRaft's replicator on the leader must stay off the
 *       I/O threads, since a request it sends from an I/O thread is written at once while one sent from any
 *       other thread is queued behind that thread's work, so two of its requests could reach the follower out
 *       of order (tried: the followers rejected them as term_unmatched).</li>
 * </ul>
 * Bolt keeps its protocols in a static registry, so {@link #install()} changes response processing for every
 * Bolt client in this JVM, for as long as it runs (Bolt logs the replacement as a WARN).
 * Thread-safe; calling {@link #install()} again changes nothing further.
 */
final class IoThreadReplication {
    private static final Logger LOG = LoggerFactory.getLogger(IoThreadReplication.class);

    private IoThreadReplication() {
    }

    /**
     * Makes Bolt process responses on its I/O threads and keep a connection's messages in order on them (what
     * JRaft's pipelined replication needs; JRaft itself asks for the latter only once the first AppendEntries
     * request arrives). {@link #rpcServer} calls it.
     */
    static void install() {
        LOG.info("raft.rpc.inline: Raft responses and AppendEntries requests are handled on the transport's I/O "
                + "threads (Bolt reports the replaced response processor in a WARN line below)");
        RpcFactoryHelper.rpcFactory().ensurePipeline();
        try {
            Class.forName("com.alipay.remoting.rpc.RpcRemoting", true, IoThreadReplication.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Bolt is not on the class path", e);
        }
        for (byte code : new byte[] {RpcProtocol.PROTOCOL_CODE, RpcProtocolV2.PROTOCOL_CODE}) {
            ProtocolManager.getProtocol(ProtocolCode.fromBytes(code)).getCommandHandler()
                    .registerProcessor(RpcCommandCode.RPC_RESPONSE, new InlineResponseProcessor());
        }
    }

    /**
     * The Raft RPC server for {@code endpoint}, with JRaft's processors, AppendEntries handled on I/O threads,
     * after {@link #install()}, and TLS when {@code tls} is not null. Its shutdown also stops the two executors the
     * other processors run on.
     */
    static RpcServer rpcServer(Endpoint endpoint, NodeOptions options, RaftTransportTls tls) {
        install(); // also keeps a connection's requests in order on its I/O thread, which the server relies on
        Executor raft = JRaftUtils.createExecutor("RAFT-RPC-executor-", options.getRaftRpcThreadPoolSize());
        Executor cli = JRaftUtils.createExecutor("CLI-RPC-executor-", options.getCliRpcThreadPoolSize());
        RpcServer bolt = RpcFactoryHelper.rpcFactory().createRpcServer(endpoint);
        if (tls != null) {
            tls.secure(bolt);
        }
        RpcServer server = new InlineAppendEntriesServer(bolt, raft, cli);
        RaftRpcServerFactory.addRaftRequestProcessors(server, raft, cli);
        return server;
    }

    /**
     * Bolt's response processor, run on the I/O thread that read the response instead of on Bolt's default
     * executor. It only matches the response to its request and hands it to the callback's executor.
     */
    private static final class InlineResponseProcessor extends RpcResponseProcessor {
        @Override
        public void process(RemotingContext ctx, RemotingCommand msg, ExecutorService defaultExecutor) {
            doProcess(ctx, msg);
        }
    }
}
