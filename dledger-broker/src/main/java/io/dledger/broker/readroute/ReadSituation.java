package io.dledger.broker.readroute;

import io.dledger.broker.config.PeerSpec;
import java.util.List;

/**
 * What a node knows when it answers a pull, for {@link ReadRouter}.
 *
 * @param leader          true on the leader
 * @param knownLeader     the leader as this node knows it (null while unknown)
 * @param followers       on the leader: each follower and how many entries it is behind (negative: down)
 * @param bytesBehindHead log bytes between the pulled offset and the newest message of the queue
 * @param appliedLag      on a follower: entries it has not applied yet, counted from its own commit index or
 *                        from the leader's ({@link LeaderCommitProbe}), whichever is further ahead
 * @param otherMembers    every other member of the current configuration
 */
public record ReadSituation(boolean leader, PeerSpec knownLeader, List<FollowerLag> followers, long bytesBehindHead,
                            long appliedLag, List<PeerSpec> otherMembers) {

    /** A follower as the leader sees it; {@code lagEntries < 0} when its replicator is gone (down). */
    public record FollowerLag(PeerSpec peer, long lagEntries) {
    }
}
