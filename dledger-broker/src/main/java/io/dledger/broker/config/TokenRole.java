package io.dledger.broker.config;

import java.util.Locale;

/**
 * What a token of {@code grpc.auth.tokens.file} admits to, each role including the ones before it: {@link #READ}
 * consumes (pulls, offsets for a time, a group's heartbeats and commits, descriptions and status), {@link #WRITE} also
 * produces, {@link #ADMIN} also changes the cluster (topics, members, leadership, snapshots, resets and deletions of
 * groups' offsets). Written after the token on its line; a token without one is {@link #ADMIN}.
 */
public enum TokenRole {
    READ, WRITE, ADMIN;

    /** Whether a token of this role may make a call that needs {@code needed}. */
    public boolean allows(TokenRole needed) {
        return compareTo(needed) >= 0;
    }

    /** The role named {@code name} in any case, or null. */
    static TokenRole named(String name) {
        for (TokenRole r : values()) {
            if (r.name().equals(name.toUpperCase(Locale.ROOT))) {
                return r;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
