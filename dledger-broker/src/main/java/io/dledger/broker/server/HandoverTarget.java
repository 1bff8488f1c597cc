package io.dledger.broker.server;

import io.dledger.broker.readroute.ReadSituation.FollowerLag;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which follower a leader hands leadership to when nobody named one (a graceful shutdown, {@code transfer-leader}
 * without {@code --to}): a follower whose disk has space before one short of it (a leader short of space refuses
 * writes and hands leadership on again), then the least behind. Followers whose replicator is gone are left out. A
 * follower with space wins however far behind it is: JRaft then waits up to an election timeout for it to catch up,
 * and when it cannot, the transfer fails and leadership stays where it was (rather than going to a node that would
 * refuse writes).
 *
 * <p>A pure function of its arguments: thread-safe.
 */
public final class HandoverTarget {
    private HandoverTarget() {
    }

    /**
     * The chosen follower's id, or empty when no follower is reachable.
     *
     * @param followers the followers as the leader sees them ({@code RaftNode.followerLags()})
     * @param withSpace ids of the followers known to have disk space ({@code followersWithSpace()}; empty when the
     *                  leader does not know, and then only the lag decides)
     */
    public static Optional<String> choose(List<FollowerLag> followers, List<String> withSpace) {
        return followers.stream().filter(f -> f.lagEntries() >= 0)
                .min(Comparator.comparing((FollowerLag f) -> !withSpace.contains(f.peer().id()))
                        .thenComparingLong(FollowerLag::lagEntries))
                .map(f -> f.peer().id());
    }
}
