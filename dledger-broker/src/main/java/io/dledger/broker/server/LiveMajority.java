package io.dledger.broker.server;

import java.util.List;
import java.util.Optional;

/**
 * Whether a node may be removed from the Raft group with the members the leader hears from: JRaft commits a new
 * configuration only with a majority of the old and of the new one, and a group elects a leader only with a majority
 * of its members, so a removal that leaves fewer than a majority of the remaining members answering would stall the
 * group until the missing ones return (a three-node group with one node down cannot lose a second one this way).
 * JRaft counts a member as answering from its replicator's last answered request within a leader lease; just after
 * an election every member counts as answering for one lease.
 *
 * <p>Stateless and thread-safe.
 */
final class LiveMajority {
    private LiveMajority() {
    }

    /**
     * Why removing {@code removed} from {@code members} must not go ahead while only {@code answering} answer the
     * leader (the leader among them); empty when it may.
     */
    static Optional<String> problemAfterRemoving(String removed, List<String> members, List<String> answering) {
        List<String> after = members.stream().filter(id -> !id.equals(removed)).toList();
        long up = after.stream().filter(answering::contains).count();
        long upBefore = members.stream().filter(answering::contains).count(); // the joint phase needs both majorities
        if (up > after.size() / 2 && upBefore > members.size() / 2) {
            return Optional.empty();
        }
        List<String> down = members.stream().filter(id -> !answering.contains(id)).toList();
        return Optional.of("removing " + removed + " needs a majority answering the leader among the members now ("
                + upBefore + " of " + members.size() + " answer) and among those left (" + up + " of " + after.size()
                + "): not there, so the change could not commit and no leader could be elected; start "
                + String.join(", ", down) + " first");
    }
}
