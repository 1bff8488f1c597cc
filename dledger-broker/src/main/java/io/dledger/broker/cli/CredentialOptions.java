package io.dledger.broker.cli;

import io.dledger.broker.config.AuthTokens;
import io.dledger.broker.config.ConfigException;
import io.dledger.broker.local.LocalClients;
import io.dledger.broker.local.NodeAccess;
import io.dledger.client.DLedgerClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a command's client authenticates to the nodes: {@code --tls-ca} and {@code --token-file}, falling back to
 * {@code $DLEDGER_TLS_CA} and {@code $DLEDGER_TOKEN}. Shared by the client commands ({@link ClientOptions}) and
 * {@code dledger bench}. Not thread-safe: picocli fills it, one command reads it.
 */
public final class CredentialOptions {
    @Option(names = "--tls-ca", paramLabel = "FILE", description = "connect with TLS, trusting the certificates in "
            + "this PEM file (the nodes' grpc.tls.cert, or its CA; default: $DLEDGER_TLS_CA, else plaintext)")
    Path tlsCa;

    @Option(names = "--token-file", paramLabel = "FILE", description = "send the token in this file (its first line "
            + "that is not blank or a '#' comment, so a node's grpc.auth.tokens.file works too) with every call, "
            + "for nodes with grpc.auth.tokens.file (default: $DLEDGER_TOKEN, else none)")
    Path tokenFile;

    /** The options given on the command line, as a follow-up command takes them again (empty when none). */
    String asFlags() {
        return LocalClients.credentialFlags(tlsCa, tokenFile);
    }

    /**
     * Applies what was given (options or environment) to {@code builder}, leaving what was not as the builder has it:
     * a builder for the local cluster keeps the trust and token its nodes call for.
     */
    public DLedgerClient.Builder applyTo(DLedgerClient.Builder builder) {
        return resolved(false).applyTo(builder);
    }

    /**
     * The certificates and token given (by the options alone with {@code optionsOnly}), each null when not; a client
     * builder takes them with {@link NodeAccess#applyTo}, and {@link NodeAccess#over} lays them over a local
     * cluster's own.
     *
     * @throws IllegalArgumentException when {@code --token-file} cannot be read or holds no token
     */
    public NodeAccess resolved(boolean optionsOnly) {
        return new NodeAccess(optionsOnly ? tlsCa : tlsCa(), optionsOnly && tokenFile == null ? null : token());
    }

    /** Whether {@code --tls-ca} or {@code --token-file} was given (the environment not counted). */
    public boolean given() {
        return tlsCa != null || tokenFile != null;
    }

    /** {@code --tls-ca}, else $DLEDGER_TLS_CA, else none (plaintext). */
    private Path tlsCa() {
        if (tlsCa != null) {
            return tlsCa;
        }
        String env = System.getenv("DLEDGER_TLS_CA");
        return env == null || env.isBlank() ? null : Path.of(env);
    }

    /** The first token line of {@code --token-file}, else $DLEDGER_TOKEN, else none. */
    private String token() {
        if (tokenFile != null) {
            try {
                String first = AuthTokens.tokenLines(Files.readAllLines(tokenFile)).stream().findFirst().orElse("");
                if (first.isEmpty()) {
                    throw new IllegalArgumentException("--token-file " + tokenFile + " holds no token");
                }
                return AuthTokens.tokenOf(first);
            } catch (IOException e) {
                throw new IllegalArgumentException("--token-file: cannot read " + tokenFile + ": "
                        + ConfigException.reason(e), e);
            }
        }
        String env = System.getenv("DLEDGER_TOKEN");
        return env == null || env.isBlank() ? null : env.strip();
    }
}
