package io.dledger.broker.group;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One consumer group's members on one topic, as the leader tracks them: each member's last heartbeat and the queues
 * it claims, how many members claim each queue, the members' ids in order and the group's generation. The claim
 * counts answer "does another member hold queue q" without a walk over every member's queues, which a heartbeat asks
 * for every queue of the topic: a heartbeat costs time in proportion to the topic's queues and the member's own
 * claims, not to all the group's claims (up to {@code MAX_MEMBERS} times 1024 queues, each claimed by every member
 * in a hostile client's heartbeats).
 *
 * <p>Not thread-safe: {@link GroupCoordinator} synchronizes on itself around every use.
 */
final class GroupMembers {
    /** A member: when the leader last heard from it, and the queues it claims (reported or granted). */
    static final class Member {
        long lastSeen;
        private Set<Integer> owned = Set.of();

        Set<Integer> owned() {
            return owned;
        }
    }

    private final Map<String, Member> members = new HashMap<>();
    /** Queue -> how many members claim it; queues nobody claims are absent. */
    private final Map<Integer, Integer> claims = new HashMap<>();
    /** The members' ids in order, rebuilt after a change; the same list object while none happens. */
    private List<String> ids = List.of();
    private boolean idsStale;
    private List<String> lastAssigned = List.of();
    private long generation;

    Member get(String id) {
        return members.get(id);
    }

    /** The member {@code id}, added (claiming nothing) when new. */
    Member join(String id) {
        return members.computeIfAbsent(id, k -> {
            idsStale = true;
            return new Member();
        });
    }

    /** Removes member {@code id} and its claims; whether it was there. */
    boolean remove(String id) {
        Member m = members.remove(id);
        if (m == null) {
            return false;
        }
        unclaim(m.owned);
        idsStale = true;
        return true;
    }

    /** Removes the members {@code gone} matches, with their claims. */
    void removeIf(Predicate<Member> gone) {
        members.values().removeIf(m -> {
            if (!gone.test(m)) {
                return false;
            }
            unclaim(m.owned);
            idsStale = true;
            return true;
        });
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    int size() {
        return members.size();
    }

    /** The members by id, read-only. */
    Map<String, Member> all() {
        return Collections.unmodifiableMap(members);
    }

    /** Sets what {@code m} (a member of this group) claims to {@code owned}. */
    void claim(Member m, Set<Integer> owned) {
        unclaim(m.owned);
        m.owned = Set.copyOf(owned);
        m.owned.forEach(q -> claims.merge(q, 1, Integer::sum));
    }

    private void unclaim(Set<Integer> owned) {
        owned.forEach(q -> claims.computeIfPresent(q, (k, n) -> n == 1 ? null : n - 1));
    }

    /** Whether a member other than {@code self} claims queue {@code q}. */
    boolean claimedByOthers(Member self, int q) {
        return claims.getOrDefault(q, 0) > (self.owned.contains(q) ? 1 : 0);
    }

    /** The members' ids, ascending; the same list object as long as no member joined or left. */
    List<String> ids() {
        if (idsStale) {
            List<String> sorted = new ArrayList<>(members.keySet());
            Collections.sort(sorted);
            ids = List.copyOf(sorted);
            idsStale = false;
        }
        return ids;
    }

    /** The generation as the last assignment gave it (see {@link #generation}), unchanged. */
    long lastGeneration() {
        return generation;
    }

    /** The generation, advanced first when the members' ids differ from those of the last call. */
    long generation() {
        List<String> now = ids();
        if (now != lastAssigned && !now.equals(lastAssigned)) {
            generation++;
        }
        lastAssigned = now;
        return generation;
    }
}
