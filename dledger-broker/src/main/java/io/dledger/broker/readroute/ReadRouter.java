package io.dledger.broker.readroute;

import io.dledger.broker.config.PeerSpec;
import java.util.Comparator;
import java.util.List;

/**
 * Decides which node a consumer should pull from next; every pull response carries the decision.
 *
 * <p>On the leader: a caught-up follower (at most {@code maxLagEntries} behind) is suggested when the
 * read is cold (more than {@code coldBytes} behind the head of the log, RocketMQ's rule) or when the
 * leader is busy (produce or pull rate above a threshold); otherwise, or when no follower is caught up,
 * the consumer stays on the leader. Followers are chosen by queue, so one queue's consumer sticks to one
 * follower and queues spread over the followers.
 *
 * <p>On a follower: the consumer stays (at the end of a queue it long-polls here, and this node's own
 * apply wakes it), unless the follower lags the leader's commit by more than {@code maxLagEntries} (in
 * applying, or in receiving as {@link LeaderCommitProbe} measures): then it sends the consumer back to the
 * leader. A follower that knows no leader (cut off, or an election is running)
 * sends the consumer to another member, so a consumer never waits on a node the cluster has left behind.
 *
 * <p>Stateless apart from the load meters; thread-safe.
 */
public final class ReadRouter {
    /** Where to pull next and why; {@code node == null} means stay on the node that answered. */
    public record Suggestion(PeerSpec node, String reason) {
    }

    /**
     * The reason of a follower that lacks what was pulled (an offset past the end of its queue, a topic it has not
     * seen) and names the leader, which decides; the pull handler gives it, whether or not routing is enabled, and
     * clients take it as a leader hint.
     */
    public static final String FOLLOWER_BEHIND = "follower-behind";

    private final ReadRouteConfig config;
    private final LoadMeter produced;
    private final LoadMeter pulls;

    public ReadRouter(ReadRouteConfig config, LoadMeter produced, LoadMeter pulls) {
        this.config = config;
        this.produced = produced;
        this.pulls = pulls;
    }

    public Suggestion suggest(ReadSituation s, String topic, int queue) {
        if (!config.enabled()) {
            return new Suggestion(null, "stay");
        }
        return s.leader() ? onLeader(s, topic, queue) : onFollower(s, topic, queue);
    }

    private Suggestion onLeader(ReadSituation s, String topic, int queue) {
        List<PeerSpec> caughtUp = s.followers().stream()
                .filter(f -> f.lagEntries() >= 0 && f.lagEntries() <= config.maxLagEntries())
                .map(ReadSituation.FollowerLag::peer).sorted(Comparator.comparing(PeerSpec::id)).toList();
        String reason;
        if (s.bytesBehindHead() >= config.coldBytes()) {
            reason = "cold-data";
        } else if (produced.perSecond() > config.busyProduceRate() || pulls.perSecond() > config.busyPullRate()) {
            reason = "leader-busy";
        } else {
            return new Suggestion(null, "stay");
        }
        if (caughtUp.isEmpty()) {
            return new Suggestion(null, reason + ",no-caught-up-follower");
        }
        int pick = Math.floorMod(31 * topic.hashCode() + queue, caughtUp.size());
        return new Suggestion(caughtUp.get(pick), reason);
    }

    private Suggestion onFollower(ReadSituation s, String topic, int queue) {
        if (s.knownLeader() == null) {
            if (s.otherMembers().isEmpty()) {
                return new Suggestion(null, "stay,no-leader");
            }
            List<PeerSpec> others = s.otherMembers().stream().sorted(Comparator.comparing(PeerSpec::id)).toList();
            return new Suggestion(others.get(Math.floorMod(31 * topic.hashCode() + queue, others.size())),
                    "no-leader");
        }
        if (s.appliedLag() > config.maxLagEntries()) {
            return new Suggestion(s.knownLeader(), "follower-lagging");
        }
        return new Suggestion(null, "stay");
    }
}
