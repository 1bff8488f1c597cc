package io.dledger.broker.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;

/**
 * The tokens a node's gRPC front end accepts ({@code grpc.auth.tokens.file}): one per line (LF or CRLF; a leading
 * UTF-8 byte-order mark is ignored), blank lines and lines starting with {@code #} ignored; each token printable ASCII
 * without spaces, as an HTTP/2 header carries it. Several tokens let a token be replaced without a pause: add the
 * new one to every node's file (which a node reads again when it changes), move the clients, then drop the old one; a
 * node presents its tokens to another in turn until one is accepted. {@link #toString()} never shows a token.
 * Immutable and thread-safe.
 */
public final class AuthTokens {
    /** Shortest token accepted: a guessable one is no authentication. */
    public static final int MIN_CHARS = 16;

    private final List<byte[]> tokens;

    private AuthTokens(List<String> tokens) {
        this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /**
     * The tokens in {@code file}.
     *
     * @throws ConfigException when it cannot be read, lists no token, or a token is shorter than {@link #MIN_CHARS}
     *                         or holds a space
     */
    public static AuthTokens load(Path file) {
        try {
            return parse(file, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read " + ConfigKey.GRPC_AUTH_TOKENS_FILE.key() + " " + file + ": "
                    + e.getMessage());
        }
    }

    /** The tokens in {@code content}, read from {@code file}; checked as {@link #load} does. */
    public static AuthTokens parse(Path file, byte[] content) {
        List<String> tokens = tokenLines(new String(content, StandardCharsets.UTF_8).lines().toList());
        if (tokens.isEmpty()) {
            throw new ConfigException(ConfigKey.GRPC_AUTH_TOKENS_FILE.key() + " " + file + " lists no token");
        }
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.length() < MIN_CHARS || t.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new ConfigException(ConfigKey.GRPC_AUTH_TOKENS_FILE.key() + " " + file + ": token " + (i + 1)
                        + " must have at least " + MIN_CHARS + " characters, printable ASCII without spaces");
            }
        }
        return new AuthTokens(tokens);
    }

    /**
     * The token lines of a tokens file: each stripped (a byte-order mark too), blank lines and {@code #} comments left
     * out. Unchecked.
     */
    public static List<String> tokenLines(List<String> lines) {
        return lines.stream().map(l -> l.replace("\uFEFF", "").strip()).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
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

    /** How many tokens there are. */
    public int size() {
        return tokens.size();
    }

    /** Token {@code i}, in the file's order; this node presents token 0 first when it calls another node. */
    public String get(int i) {
        return new String(tokens.get(i), StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return tokens.size() + " token" + (tokens.size() == 1 ? "" : "s");
    }
}
