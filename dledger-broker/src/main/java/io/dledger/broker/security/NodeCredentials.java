package io.dledger.broker.security;

import io.dledger.broker.concurrent.DaemonThreadFactory;
import io.dledger.broker.config.AuthTokens;
import io.dledger.broker.config.ConfigException;
import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.GrpcTls;
import io.dledger.broker.config.NodeConfig;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.AdvancedTlsX509TrustManager.Verification;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's credentials, read from the files its settings name, and read again when those files change, so
 * certificates and tokens are replaced without a restart: the certificate chain and key it presents
 * ({@code grpc.tls.cert}, {@code grpc.tls.key}) on its gRPC port and, with {@code raft.tls}, on its Raft port; the
 * certificates it trusts ({@code grpc.tls.ca}) when it calls another node's gRPC port (host names checked) and for Raft
 * peers (certificates only); and the tokens its gRPC port accepts ({@code grpc.auth.tokens.file}).
 *
 * <p>{@link #start()} looks at the files every {@link #CHECK_SECONDS} seconds ({@link CredentialFiles} says when a
 * change is taken and when it is refused). New connections and calls use what was read last; connections already open
 * keep the certificates they were made with. Thread-safe: the credentials handed out read the current files' content
 * on every handshake and call.
 */
public final class NodeCredentials implements AutoCloseable {
    /** How often the files are looked at. */
    public static final long CHECK_SECONDS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(NodeCredentials.class);

    private final CredentialFiles files; // null without TLS and tokens
    private final AdvancedTlsX509KeyManager keys; // null without TLS
    private final AdvancedTlsX509TrustManager peersByHost; // gRPC calls to other nodes
    private final AdvancedTlsX509TrustManager peersByCertificate; // Raft connections, both sides
    private final boolean raftTls;
    private ScheduledExecutorService checks; // guarded by this

    private NodeCredentials(CredentialFiles files, AdvancedTlsX509KeyManager keys,
                            AdvancedTlsX509TrustManager peersByHost, AdvancedTlsX509TrustManager peersByCertificate,
                            boolean raftTls) {
        this.files = files;
        this.keys = keys;
        this.peersByHost = peersByHost;
        this.peersByCertificate = peersByCertificate;
        this.raftTls = raftTls;
    }

    /**
     * Reads {@code config}'s TLS files and token file; throws {@link IllegalStateException} naming the settings when
     * they cannot be used (a key that does not belong to the certificate included).
     */
    public static NodeCredentials load(NodeConfig config) {
        GrpcTls tls = config.grpcTls();
        Path tokens = config.authTokensFile();
        if (tls == null && tokens == null) {
            return new NodeCredentials(null, null, null, null, false);
        }
        try {
            AdvancedTlsX509KeyManager keys = tls == null ? null : new AdvancedTlsX509KeyManager();
            AdvancedTlsX509TrustManager byHost = tls == null ? null : AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION).build();
            AdvancedTlsX509TrustManager byCertificate = tls == null ? null : AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(Verification.CERTIFICATE_ONLY_VERIFICATION).build();
            CredentialFiles files = new CredentialFiles(tls, tokens, (chain, key) -> keys.updateIdentityCredentials(
                    chain, key), trusted -> {
                        byHost.updateTrustCredentials(trusted);
                        byCertificate.updateTrustCredentials(trusted);
                    });
            files.readAll();
            return new NodeCredentials(files, keys, byHost, byCertificate, config.raftTls());
        } catch (ConfigException e) {
            throw new IllegalStateException(String.join("; ", e.problems()), e);
        } catch (java.io.IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot use the TLS files: " + e.getMessage(), e);
        }
    }

    /** Starts looking at the files for changes; {@link #close()} stops it. */
    public synchronized void start() {
        if (files == null || checks != null) {
            return;
        }
        checks = Executors.newSingleThreadScheduledExecutor(new DaemonThreadFactory("dledger-credentials"));
        checks.scheduleWithFixedDelay(() -> {
            try {
                files.readChanged();
            } catch (Throwable t) { // an escaping throwable would cancel the checks for good
                LOG.error("checking the credential files failed; checking again in {} s", CHECK_SECONDS, t);
            }
        }, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
    }

    /** Looks at the files now, as the checks {@link #start()} schedules do. */
    void checkNow() {
        if (files != null) {
            files.readChanged();
        }
    }

    /** What the gRPC port serves: TLS with the current certificate, or plaintext without {@code grpc.tls.cert}. */
    public ServerCredentials grpcServer() {
        return keys == null ? InsecureServerCredentials.create()
                : TlsServerCredentials.newBuilder().keyManager(keys).build();
    }

    /** How this node calls another's gRPC port: trusting the current {@code grpc.tls.ca}, or plaintext. */
    public ChannelCredentials grpcChannel() {
        return peersByHost == null ? InsecureChannelCredentials.create()
                : TlsChannelCredentials.newBuilder().trustManager(peersByHost).build();
    }

    /** The tokens the gRPC port accepts now, or null: it serves any call. */
    public AuthTokens tokens() {
        return files == null ? null : files.tokens();
    }

    /**
     * The TLS of the Raft port, both sides presenting the current certificate and trusting peers the current
     * {@code grpc.tls.ca} signed, or null without {@code raft.tls}.
     */
    public SSLContext raft() {
        if (!raftTls) {
            return null;
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keys}, new TrustManager[] {peersByCertificate}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for " + ConfigKey.RAFT_TLS.key() + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public synchronized void close() {
        if (checks != null) {
            checks.shutdownNow();
        }
    }
}
