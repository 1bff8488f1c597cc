package io.dledger.broker.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The tokens a node's gRPC front end accepts ({@code grpc.auth.tokens.file}): one per line (LF or CRLF; a leading
 * UTF-8 byte-order mark is ignored), blank lines and lines starting with {@code #} ignored; each token printable ASCII
 * without spaces, as an HTTP/2 header carries it, optionally followed by its {@link TokenRole} ({@code TOKEN read};
 * without one a token is {@code admin}) and by the topics it may touch ({@link TopicScope}: {@code TOKEN write
 * topics=orders,billing-*}; without them, every topic). Several tokens let a token be replaced without a pause: add the
 * new one to every node's file (which a node reads again when it changes), move the clients, then drop the old one; a
 * node presents its tokens to another in turn until one is accepted. {@link #toString()} never shows a token.
 * Immutable and thread-safe.
 */
public final class AuthTokens {
    /** Shortest token accepted: a guessable one is no authentication. */
    public static final int MIN_CHARS = 16;
    /** The scheme of an {@code authorization} header that carries a token: {@code Bearer TOKEN}. */
    public static final String BEARER = "Bearer ";

    /** What a token admits to: the calls of its role, on the topics of its scope. */
    public record Grant(TokenRole role, TopicScope topics) {
    }

    private final List<byte[]> tokens;
    private final List<Grant> grants;

    private AuthTokens(List<String> tokens, List<Grant> grants) {
        this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
        this.grants = List.copyOf(grants);
    }

    /**
     * The tokens in {@code file}.
     *
     * @throws ConfigException when it cannot be read, lists no token, a token is shorter than {@link #MIN_CHARS} or
     *                         not printable ASCII, a line holds more than a token, a known role and a topic scope,
     *                         or a token is listed twice
     */
    public static AuthTokens load(Path file) {
        try {
            return parse(file, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read " + ConfigKey.GRPC_AUTH_TOKENS_FILE.key() + " " + file + ": "
                    + ConfigException.reason(e));
        }
    }

    /** The tokens in {@code content}, read from {@code file}; checked as {@link #load} does. */
    public static AuthTokens parse(Path file, byte[] content) {
        List<String> lines = tokenLines(new String(content, StandardCharsets.UTF_8).lines().toList());
        if (lines.isEmpty()) {
            throw new ConfigException(ConfigKey.GRPC_AUTH_TOKENS_FILE.key() + " " + file + " lists no token");
        }
        List<String> tokens = new ArrayList<>();
        List<Grant> grants = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] fields = lines.get(i).split("\\s+");
            String where = ConfigKey.GRPC_AUTH_TOKENS_FILE.key() + " " + file + ": token " + (i + 1);
            String t = fields[0];
            if (t.length() < MIN_CHARS || t.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new ConfigException(where + " must have at least " + MIN_CHARS + " characters, printable ASCII "
                        + "without spaces");
            }
            Grant grant = grant(fields, where);
            if (tokens.contains(t)) {
                throw new ConfigException(where + " is listed before: each token once, with one role");
            }
            tokens.add(t);
            grants.add(grant);
        }
        return new AuthTokens(tokens, grants);
    }

    /** The role and scope after a line's token: {@code [ROLE] [topics=...]}, by default admin on every topic. */
    private static Grant grant(String[] fields, String where) {
        int next = 1;
        TokenRole role = TokenRole.ADMIN;
        if (next < fields.length && !fields[next].startsWith(TopicScope.PREFIX)) {
            role = TokenRole.named(fields[next++]);
        }
        TopicScope topics = TopicScope.ALL;
        try {
            if (role != null && next < fields.length) {
                topics = TopicScope.parse(fields[next++]);
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
        if (role == null || next < fields.length) {
            throw new ConfigException(where + ": after the token a line holds at most its role, one of "
                    + java.util.Arrays.toString(TokenRole.values()) + ", and then its topics (" + TopicScope.PREFIX
                    + "PATTERN,...)");
        }
        return new Grant(role, topics);
    }

    /**
     * The token lines of a tokens file: each stripped (a byte-order mark too), blank lines and {@code #} comments left
     * out. Unchecked.
     */
    public static List<String> tokenLines(List<String> lines) {
        return lines.stream().map(l -> l.replace("\uFEFF", "").strip()).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }

    /** The token of a token line, without its role. */
    public static String tokenOf(String line) {
        return line.strip().split("\\s+")[0];
    }

    /**
     * What the value of an {@code authorization} header (gRPC metadata or HTTP; null: none) admits to: {@code Bearer}
     * (in any case) and one of these tokens, else null.
     */
    public Grant grantOfBearer(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? grantOf(authorization.substring(BEARER.length()).strip()) : null;
    }

    /** What {@code token} admits to if it is one of these, else null; the tokens are compared in constant time. */
    public Grant grantOf(String token) {
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        Grant found = null;
        for (int i = 0; i < tokens.size(); i++) {
            if (MessageDigest.isEqual(tokens.get(i), given)) {
                found = grants.get(i);
            }
        }
        return found;
    }

    /** The role of {@code token} if it is one of these, else null; the tokens are compared in constant time. */
    public TokenRole roleOf(String token) {
        Grant g = grantOf(token);
        return g == null ? null : g.role();
    }

    /** Whether {@code token} is one of these, compared in constant time. */
    public boolean accepts(String token) {
        return roleOf(token) != null;
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
