package io.dledger.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import java.util.concurrent.Executor;

/**
 * Sends a token with every call, as {@code authorization: Bearer TOKEN}, for nodes that accept only calls with one of
 * their tokens ({@code grpc.auth.tokens.file}); see {@link DLedgerClient.Builder#token}. Over plaintext the token
 * crosses the network readable: use it with TLS (the first call without says so in the log). Thread-safe;
 * {@link #toString()} hides the token.
 */
final class BearerToken extends CallCredentials {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BearerToken.class);

    private final String value;
    /** Whether a token was sent without TLS and said so (once per client). */
    private final java.util.concurrent.atomic.AtomicBoolean warned = new java.util.concurrent.atomic.AtomicBoolean();

    BearerToken(String token) {
        if (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("a token is printable ASCII without spaces, and not empty");
        }
        this.value = "Bearer " + token;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor appExecutor, MetadataApplier applier) {
        if (info.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY && warned.compareAndSet(false, true)) {
            LOG.warn("this client sends its token to {} without TLS: anyone on the network can read it "
                    + "(DLedgerClient.Builder.tls, --tls-ca)", info.getAuthority());
        }
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, value);
        applier.apply(headers);
    }

    @Override
    public String toString() {
        return "BearerToken[hidden]";
    }
}
