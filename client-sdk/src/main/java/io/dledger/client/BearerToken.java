package io.dledger.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/**
 * Sends a token with every call, as {@code authorization: Bearer TOKEN}, for nodes that accept only calls with one of
 * their tokens ({@code grpc.auth.tokens.file}); see {@link DLedgerClient.Builder#token}. Over plaintext the token
 * crosses the network readable: use it with TLS. Immutable and thread-safe; {@link #toString()} hides the token.
 */
final class BearerToken extends CallCredentials {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    private final String value;

    BearerToken(String token) {
        if (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("a token is printable ASCII without spaces, and not empty");
        }
        this.value = "Bearer " + token;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor appExecutor, MetadataApplier applier) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, value);
        applier.apply(headers);
    }

    @Override
    public String toString() {
        return "BearerToken[hidden]";
    }
}
