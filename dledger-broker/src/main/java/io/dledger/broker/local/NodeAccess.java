package io.dledger.broker.local;

import io.dledger.broker.config.AuthTokens;
import io.dledger.broker.config.PemFiles;
import io.dledger.client.DLedgerClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a command reaches the nodes: the certificates it trusts ({@code trusted}; null: plaintext for gRPC, the JDK's
 * own trust for https URLs) and the token it sends ({@code token}; null: none). For the nodes' HTTP ports
 * ({@code /metrics}, {@code /health}; {@code http.tls}, {@code http.auth}) it also makes the client and the requests:
 * the token goes to https URLs, and to plaintext ones only when no certificates are given (a cluster without TLS), so
 * a command that trusts TLS does not send it in the clear. Immutable.
 */
public record NodeAccess(Path trusted, String token) {
    /** Plaintext or the JDK's trust, no token. */
    public static final NodeAccess NONE = new NodeAccess(null, null);

    /** This access, with {@code base}'s certificates and token where this one has none. */
    public NodeAccess over(NodeAccess base) {
        return new NodeAccess(trusted != null ? trusted : base.trusted, token != null ? token : base.token);
    }

    /** {@code builder} with these certificates trusted and this token sent, each where given; the builder's else. */
    public DLedgerClient.Builder applyTo(DLedgerClient.Builder builder) {
        if (trusted != null) {
            builder.tls(trusted);
        }
        if (token != null) {
            builder.token(token);
        }
        return builder;
    }

    /**
     * A client trusting {@link #trusted()} (host names checked, as for any https URL).
     *
     * @throws IllegalArgumentException when that file holds no certificate Java reads
     */
    public HttpClient httpClient(Duration connectTimeout) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(connectTimeout);
        if (trusted != null) {
            b.sslContext(trusting(trusted));
        }
        return b.build();
    }

    /** A request for {@code uri}, with the token when it may go there. */
    public HttpRequest.Builder httpRequest(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if (token != null && ("https".equalsIgnoreCase(uri.getScheme()) || trusted == null)) {
            b.header("Authorization", AuthTokens.BEARER + token);
        }
        return b;
    }

    private static SSLContext trusting(Path pem) {
        try {
            List<X509Certificate> certificates = PemFiles.certificates(pem);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(pem + " holds no PEM certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("trusted-" + i, certificates.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot trust the certificates in " + pem + ": " + e.getMessage(), e);
        }
    }
}
