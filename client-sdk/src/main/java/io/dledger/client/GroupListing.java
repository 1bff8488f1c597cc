package io.dledger.client;

import java.util.List;

/**
 * The consumer groups {@link AdminClient#listGroups} found. Immutable, thread-safe.
 *
 * @param groups    one entry per group and topic, sorted by group, then topic (an immutable list)
 * @param truncated more groups exist than the leader lists in one answer (10,000): ask per topic
 */
public record GroupListing(List<GroupSummary> groups, boolean truncated) {

    /**
     * Keeps an immutable copy of {@code groups}.
     *
     * @param groups    one entry per group and topic, sorted by group, then topic
     * @param truncated whether the leader cut the list at 10,000 entries
     */
    public GroupListing {
        groups = List.copyOf(groups);
    }
}
