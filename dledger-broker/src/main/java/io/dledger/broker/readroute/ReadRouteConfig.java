package io.dledger.broker.readroute;

/**
 * Rules for steering consumers between the leader and the followers.
 *
 * @param enabled            false: every node always suggests staying where the consumer is
 * @param busyProduceRate    the leader counts as busy above this many produced messages per second
 * @param busyPullRate       ... or above this many pull requests per second
 * @param coldBytes          a read this many log bytes behind the head is cold (likely out of the page cache)
 * @param maxLagEntries      a follower more than this many Raft entries behind is never suggested, and
 *                           sends its consumers back to the leader
 */
public record ReadRouteConfig(boolean enabled, long busyProduceRate, long busyPullRate, long coldBytes,
                             long maxLagEntries) {
}
