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
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
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
 * certificates it trusts when it calls another node's gRPC port ({@code grpc.tls.ca}, host names checked); those that
 * admit Raft peers ({@code raft.tls.ca}, certificates only, both directions); and the tokens its gRPC port accepts
 * ({@code grpc.auth.tokens.file}).
 *
 * <p>{@link #start} looks at the files periodically ({@link CredentialFiles} says when a change is taken and when it
 * is refused). New connections and calls use what was read last; connections already open keep the certificates they
 * were made with. Thread-safe: the credentials handed out use what was taken last on every handshake and call.
 */
public final class NodeCredentials implements AutoCloseable {
    /** How often a node looks at the files. */
    public static final Duration CHECK_INTERVAL = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(NodeCredentials.class);

    private final CredentialFiles files; // null without TLS and tokens
    private final AdvancedTlsX509KeyManager keys; // null without TLS
    private final AdvancedTlsX509TrustManager peersByHost; // gRPC calls to other nodes
    private final AdvancedTlsX509TrustManager raftPeers; // Raft connections, both sides; null without raft.tls
    private ScheduledExecutorService checks; // guarded by this

    private NodeCredentials(CredentialFiles files, AdvancedTlsX509KeyManager keys,
                            AdvancedTlsX509TrustManager peersByHost, AdvancedTlsX509TrustManager raftPeers) {
        this.files = files;
        this.keys = keys;
        this.peersByHost = peersByHost;
        this.raftPeers = raftPeers;
    }

    /**
     * Reads {@code config}'s TLS files and token file; throws {@link IllegalStateException} naming the settings when
     * they cannot be used (a key that does not belong to the certificate included).
     */
    public static NodeCredentials load(NodeConfig config) {
        GrpcTls tls = config.grpcTls();
        Path tokensFile = config.authTokensFile();
        if (tls == null && tokensFile == null) {
            return new NodeCredentials(null, null, null, null);
        }
        try {
            AdvancedTlsX509KeyManager keys = tls == null ? null : new AdvancedTlsX509KeyManager();
            AdvancedTlsX509TrustManager byHost = tls == null ? null : AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION).build();
            AdvancedTlsX509TrustManager raftPeers = config.raftTls() ? AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(Verification.CERTIFICATE_ONLY_VERIFICATION).build() : null;
            CredentialFiles files = new CredentialFiles(tls == null ? null : tls.cert(), tls == null ? null : tls.key(),
                    tls == null ? null : tls.ca(), config.raftTlsCa(), tokensFile,
                    (chain, key) -> keys.updateIdentityCredentials(chain, key),
                    trusted -> byHost.updateTrustCredentials(trusted), // both used only with TLS
                    raftPeers == null ? null : raftPeers::updateTrustCredentials);
            files.readAll();
            return new NodeCredentials(files, keys, byHost, raftPeers);
        } catch (ConfigException e) {
            throw new IllegalStateException(String.join("; ", e.problems()), e);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot use the TLS files: " + e.getMessage(), e);
        }
    }

    /** Starts looking at the files for changes every {@code interval}; {@link #close()} stops it. */
    public synchronized void start(Duration interval) {
        if (files == null || checks != null) {
            return;
        }
        checks = Executors.newSingleThreadScheduledExecutor(new DaemonThreadFactory("dledger-credentials"));
        checks.scheduleWithFixedDelay(() -> {
            try {
                files.readChanged();
            } catch (Throwable t) { // an escaping throwable would cancel the checks for good
                LOG.error("checking the credential files failed; checking again in {}", interval, t);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
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

    /** The TLS of the HTTP port with {@code http.tls}: the current certificate, no client certificate asked for. */
    public SSLContext http() {
        if (keys == null) {
            throw new IllegalStateException(ConfigKey.HTTP_TLS.key() + " without " + ConfigKey.GRPC_TLS_CERT.key());
        }
        return context(ConfigKey.HTTP_TLS, null);
    }

    /**
     * Whether an HTTP request with this {@code Authorization} header value (null: none) may read {@code /metrics}
     * under {@code http.auth}: {@code Bearer} and a token the node accepts now that holds for every topic (metrics
     * name topics and groups), of any role.
     */
    public boolean admitsToMetrics(String authorization) {
        AuthTokens tokens = tokens();
        AuthTokens.Grant grant = tokens == null ? null : tokens.grantOfBearer(authorization);
        return grant != null && grant.topics().all();
    }

    /**
     * The TLS of the Raft port, both sides presenting the current certificate and admitting peers whose certificate
     * the current {@code raft.tls.ca} signs, or null without {@code raft.tls}.
     */
    public SSLContext raft() {
        if (raftPeers == null) {
            return null;
        }
        return context(ConfigKey.RAFT_TLS, new TrustManager[] {raftPeers});
    }

    /** TLS presenting the current certificate, trusting {@code trust} (null: no peer certificates checked). */
    private SSLContext context(ConfigKey setting, TrustManager[] trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keys}, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for " + setting.key() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (checks != null) {
            checks.shutdownNow();
        }
    }
}
