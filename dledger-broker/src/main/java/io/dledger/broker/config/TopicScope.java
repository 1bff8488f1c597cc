package io.dledger.broker.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The topics a token of {@code grpc.auth.tokens.file} may touch: every topic ({@link #ALL}, a token line without
 * {@code topics=}), or those its patterns match, written {@code topics=PATTERN,PATTERN,...} after the token (and its
 * role). A pattern is a topic name ({@code orders}) or a name's beginning followed by {@code *} ({@code billing-*}:
 * every topic whose name starts with {@code billing-}); {@code *} alone matches every topic. Immutable and thread-safe.
 */
public final class TopicScope {
    /** Every topic: a token line without {@code topics=}. */
    public static final TopicScope ALL = new TopicScope(List.of("*"));
    /** How a scope starts on a token line. */
    public static final String PREFIX = "topics=";
    /** What a pattern may hold before its optional {@code *}: the characters of a topic name. */
    private static final Pattern NAME_CHARS = Pattern.compile("[A-Za-z0-9._-]{0,127}");

    private final List<String> patterns;

    private TopicScope(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    /**
     * The scope {@code field} ({@code topics=orders,billing-*}) names.
     *
     * @throws IllegalArgumentException naming what is wrong: no pattern, an empty one, a {@code *} elsewhere than at
     *                                  the end, or a character no topic name has
     */
    static TopicScope parse(String field) {
        if (!field.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a topic scope is written " + PREFIX + "PATTERN,...");
        }
        List<String> patterns = new ArrayList<>();
        for (String p : field.substring(PREFIX.length()).split(",", -1)) {
            String name = p.endsWith("*") ? p.substring(0, p.length() - 1) : p;
            if (p.isEmpty() || !NAME_CHARS.matcher(name).matches()) {
                throw new IllegalArgumentException("topic pattern '" + p + "' is not a topic name (letters, digits, "
                        + "'.', '_' or '-') optionally followed by '*'");
            }
            patterns.add(p);
        }
        return patterns.contains("*") ? ALL : new TopicScope(patterns);
    }

    /** Whether every topic is in this scope. */
    public boolean all() {
        return this == ALL;
    }

    /** Whether {@code topic} is in this scope. */
    public boolean allows(String topic) {
        for (String p : patterns) {
            if (p.endsWith("*") ? topic.startsWith(p.substring(0, p.length() - 1)) : topic.equals(p)) {
                return true;
            }
        }
        return false;
    }

    /** The patterns as a token line writes them, {@code topics=orders,billing-*}. */
    @Override
    public String toString() {
        return PREFIX + String.join(",", patterns);
    }
}
