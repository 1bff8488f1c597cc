package io.dledger.broker.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;

/**
 * The tokens a node's gRPC front end accepts ({@code grpc.auth.tokens.file}): one per line, blank lines and lines
 * starting with {@code #} ignored. Several tokens let a token be replaced without a pause: add the new one to every
 * node (a rolling restart), move the clients, then drop the old one. {@link #toString()} never shows a token.
 * Immutable and thread-safe.
 */
public final class AuthTokens {
    /** Shortest token accepted: a guessable one is no authentication. */
    public static final int MIN_CHARS = 16;

    private final List<byte[]> tokens;
    private final String first;

    private AuthTokens(List<String> tokens) {
        this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
        this.first = tokens.get(0);
    }

    /**
     * The tokens in {@code file}.
     *
     * @throws ConfigException when it cannot be read, lists no token, or a token is shorter than {@link #MIN_CHARS}
     *                         or holds a space
     */
    public static AuthTokens load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + ConfigKey.GRPC_AUTH_TOKENS_FILE.key() + " " + file + ": "
                    + e.getMessage());
        }
        List<String> tokens = lines.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        if (tokens.isEmpty()) {
            throw new ConfigException(ConfigKey.GRPC_AUTH_TOKENS_FILE.key() + " " + file + " lists no token");
        }
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.length() < MIN_CHARS || t.chars().anyMatch(Character::isWhitespace)) {
                throw new ConfigException(ConfigKey.GRPC_AUTH_TOKENS_FILE.key() + " " + file + ": token " + (i + 1)
                        + " must have at least " + MIN_CHARS + " characters and no space");
            }
        }
        return new AuthTokens(tokens);
    }

    /** Whether {@code token} is one of these, compared in constant time. */
    public boolean accepts(String token) {
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        boolean found = false;
        for (byte[] t : tokens) {
            found |= MessageDigest.isEqual(t, given);
        }
        return found;
    }

    /** The token this node presents when it calls another node. */
    public String first() {
        return first;
    }

    @Override
    public String toString() {
        return tokens.size() + " token" + (tokens.size() == 1 ? "" : "s");
    }
}
