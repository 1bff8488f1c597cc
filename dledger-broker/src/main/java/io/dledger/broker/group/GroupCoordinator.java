package io.dledger.broker.group;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Membership of consumer groups and the assignment of a topic's queues to the live members, kept by the
 * leader (soft state: members heartbeat every {@code heartbeatIntervalMs} and are dropped after
 * {@code sessionTimeoutMs} of silence; after a leader change they simply heartbeat the new leader).
 *
 * <p>Assignment: live members sorted by id; queue {@code q} targets member {@code q % members}. A member
 * is granted its target queues minus those another live member still owns (reported, or granted and not
 * yet reported back), so a queue moves only after its previous owner released it (or expired): no queue
 * is consumed by two members at once.
 * For {@code settleMs} after this node became leader it knows only some members, so it grants each member only
 * queues it already owns and nobody else claims; new assignments wait for that to settle. The broker sets it to a
 * session plus the Raft election timeout: a deposed leader cut off from the other nodes (but not from the members)
 * answers heartbeats until it steps down, up to about 1.4 election timeouts after it lost contact, and a member's
 * hold lasts a session minus a heartbeat interval after its last answer, while this node was elected no sooner than
 * an election timeout after that contact was lost.
 * An operator's change of a group's offsets (a reset, a deletion: {@link #beginOffsetsChange}) needs the group without
 * live members, and no member is granted a queue while it is in flight.
 *
 * <p>Thread-safety: all methods synchronize on the coordinator.
 */
public final class GroupCoordinator {
    /** What a member should consume. */
    public record Assignment(List<Integer> queues, long generation, List<String> members) {
    }

    private record Key(String group, String topic) {
    }

    /** Most (group, topic) pairs with live members the leader tracks; a heartbeat for one more is refused. */
    public static final int MAX_GROUPS = 100_000;
    /**
     * Most live members of one group (a heartbeat of one more is refused): a topic has at most 1024 queues, so more
     * members would get none, and each heartbeat costs time in proportion to the members.
     */
    public static final int MAX_MEMBERS = 1024;
    private static final long FULL_SWEEP_MIN_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LongSupplier nanoClock;
    private final long sessionNanos;
    private final long settleNanos;
    private final int heartbeatIntervalMs;
    private final int sessionTimeoutMs;
    private final Map<Key, GroupMembers> groups = new HashMap<>();
    /** (group, topic) pairs whose offsets an operator is changing. */
    private final Map<Key, OffsetsChange> changing = new HashMap<>();
    private long leaderSince;
    private long lastSweep;

    /** Members heartbeat every {@code heartbeatIntervalMs}; see the class comment for {@code settleMs}. */
    public GroupCoordinator(LongSupplier nanoClock, int heartbeatIntervalMs, int sessionTimeoutMs, int settleMs) {
        this.nanoClock = nanoClock;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.sessionNanos = TimeUnit.MILLISECONDS.toNanos(sessionTimeoutMs);
        this.settleNanos = TimeUnit.MILLISECONDS.toNanos(settleMs);
        this.leaderSince = nanoClock.getAsLong() - settleNanos;
    }

    public int heartbeatIntervalMs() {
        return heartbeatIntervalMs;
    }

    public int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    /** This node just became leader: forget old membership and let the members settle first. */
    public synchronized void leadershipStarted() {
        groups.clear();
        // a change proposed in an earlier term was applied or failed before this one started (its late end() is
        // harmless: it removes only itself)
        changing.clear();
        leaderSince = nanoClock.getAsLong();
    }

    /**
     * Records that {@code member} is alive and owns {@code owned} queues of {@code topic}, which has
     * {@code queueCount} queues; returns the queues it should own from now on. Groups without live members are
     * forgotten (checked at most once per session, or per second while the groups are at their limit).
     *
     * @throws LimitException when this is a new group and {@link #MAX_GROUPS} groups have live members, or a new
     *                        member of a group with {@link #MAX_MEMBERS}
     */
    public synchronized Assignment heartbeat(String group, String topic, int queueCount, String member,
                                             Set<Integer> owned) {
        long now = nanoClock.getAsLong();
        Key key = new Key(group, topic);
        boolean full = groups.size() >= MAX_GROUPS && !groups.containsKey(key);
        if (now - lastSweep > sessionNanos || (full && now - lastSweep > FULL_SWEEP_MIN_GAP_NANOS)) {
            lastSweep = now;
            groups.values().removeIf(g -> {
                g.removeIf(m -> !alive(m, now));
                return g.isEmpty();
            });
        }
        if (groups.size() >= MAX_GROUPS && !groups.containsKey(key)) {
            throw new LimitException("the leader already tracks " + MAX_GROUPS + " consumer groups with live members");
        }
        GroupMembers g = groups.computeIfAbsent(key, k -> new GroupMembers());
        g.removeIf(m -> !alive(m, now));
        if (g.size() >= MAX_MEMBERS && g.get(member) == null) {
            throw new LimitException("group " + group + " already has " + MAX_MEMBERS + " live members");
        }
        GroupMembers.Member self = g.join(member);
        self.lastSeen = now;
        g.claim(self, owned);
        List<String> live = g.ids();
        long generation = g.generation();
        boolean settling = now - leaderSince < settleNanos;
        int index = Collections.binarySearch(live, member);
        List<Integer> granted = new ArrayList<>();
        // while an operator's change is in flight nothing is granted: a member starts from the offsets it sets
        int grantable = changing.containsKey(key) ? 0 : queueCount;
        for (int q = 0; q < grantable; q++) {
            boolean wanted = settling ? owned.contains(q) : q % live.size() == index;
            if (wanted && !g.claimedByOthers(self, q)) {
                granted.add(q);
            }
        }
        // what was just granted counts as owned until the member reports otherwise, so the same queue cannot be
        // granted to someone else before this member even started on it
        if (!granted.isEmpty()) {
            Set<Integer> claims = new HashSet<>(owned);
            claims.addAll(granted);
            g.claim(self, claims);
        }
        return new Assignment(granted, generation, live);
    }

    /**
     * Why {@code member} may not commit offsets of {@code queues} now, or {@code null} when it may: it must be a
     * live member of the group (heartbeating this leader within its session), and no other live member may hold
     * one of the queues it does not claim itself (so a member the group has moved on from cannot move the group's
     * progress back).
     */
    public synchronized String commitRefusal(String group, String topic, String member, Set<Integer> queues) {
        long now = nanoClock.getAsLong();
        GroupMembers g = groups.get(new Key(group, topic));
        GroupMembers.Member self = g == null ? null : g.get(member);
        if (self == null || !alive(self, now)) {
            return "member " + member + " is not a live member of group " + group + " on this leader (its session "
                    + "ended, or the leader changed): heartbeat, then commit the queues granted";
        }
        g.removeIf(m -> !alive(m, now)); // their claims no longer count
        for (Integer q : queues) {
            // a queue both claim (an overlap a leader change can leave) is not refused: the member releasing it must
            // be able to commit and let go, or neither ever would
            if (!self.owned().contains(q) && g.claimedByOthers(self, q)) {
                String holder = g.all().entrySet().stream().filter(e -> e.getValue().owned().contains(q))
                        .map(Map.Entry::getKey).findFirst().orElseThrow();
                return "queue " + q + " of group " + group + " is held by member " + holder;
            }
        }
        return null;
    }

    /** A live member as {@link #describe} shows it: its claimed queues (ascending) and when it was last heard. */
    public record MemberView(String id, List<Integer> queues, long lastHeartbeatMsAgo) {
    }

    /** The live members of a group on a topic, by id, and its generation (0 when no member is known). */
    public record GroupView(long generation, List<MemberView> members) {
    }

    /** What this leader knows of a group's membership now (members whose session ended are left out). */
    public synchronized GroupView describe(String group, String topic) {
        long now = nanoClock.getAsLong();
        GroupMembers g = groups.get(new Key(group, topic));
        if (g == null) {
            return new GroupView(0, List.of());
        }
        List<MemberView> live = new ArrayList<>();
        new TreeMap<>(g.all()).forEach((id, m) -> {
            if (alive(m, now)) {
                live.add(new MemberView(id, List.copyOf(new TreeSet<>(m.owned())),
                        TimeUnit.NANOSECONDS.toMillis(now - m.lastSeen)));
            }
        });
        return new GroupView(g.lastGeneration(), List.copyOf(live));
    }

    /** How many live members the group has on the topic. */
    public synchronized int liveMembers(String group, String topic) {
        return liveIds(groups.get(new Key(group, topic)), nanoClock.getAsLong()).size();
    }

    /** The ids of {@code g}'s live members at {@code now}, in no order; none when {@code g} is {@code null}. */
    private List<String> liveIds(GroupMembers g, long now) {
        return g == null ? List.of() : g.all().entrySet().stream().filter(e -> alive(e.getValue(), now))
                .map(Map.Entry::getKey).toList();
    }

    /** Group -> the topics on which it has live members, both sorted. */
    public synchronized SortedMap<String, SortedSet<String>> liveGroups() {
        long now = nanoClock.getAsLong();
        SortedMap<String, SortedSet<String>> out = new TreeMap<>();
        groups.forEach((k, g) -> {
            if (g.all().values().stream().anyMatch(m -> alive(m, now))) {
                out.computeIfAbsent(k.group(), x -> new TreeSet<>()).add(k.topic());
            }
        });
        return out;
    }

    /** Whether {@code m} heard from within its session, at {@code now}. */
    private boolean alive(GroupMembers.Member m, long now) {
        return now - m.lastSeen <= sessionNanos;
    }

    /** A heartbeat the leader refuses because a bound on what it tracks is reached. */
    public static final class LimitException extends RuntimeException {
        LimitException(String message) {
            super(message + "; retry later");
        }
    }

    /**
     * Starts an operator's change of the group's offsets on {@code topic} (a reset, a deletion): until the returned
     * change {@link OffsetsChange#end ends}, members that heartbeat are granted no queue. Refused while this leader
     * settles (it may not know every live member yet), while another change of them is in flight, or while the group
     * has live members (their positions would be committed over the change).
     *
     * @throws OffsetsChangeRefusedException saying why
     */
    public synchronized OffsetsChange beginOffsetsChange(String group, String topic) {
        long now = nanoClock.getAsLong();
        Key key = new Key(group, topic);
        long settleLeftNanos = settleNanos - (now - leaderSince);
        if (settleLeftNanos > 0) {
            throw new OffsetsChangeRefusedException(OffsetsChangeRefusedException.Reason.SETTLING, "this leader was "
                    + "elected moments ago and learns the group's live members for " + (settleLeftNanos + 999_999)
                    / 1_000_000 + " ms more; retry then");
        }
        if (changing.containsKey(key)) {
            throw new OffsetsChangeRefusedException(OffsetsChangeRefusedException.Reason.IN_FLIGHT, "another reset or "
                    + "deletion of group " + group + "'s offsets on topic " + topic + " is in flight; retry");
        }
        List<String> live = liveIds(groups.get(key), now).stream().sorted().toList();
        if (!live.isEmpty()) {
            int n = live.size();
            throw new OffsetsChangeRefusedException(OffsetsChangeRefusedException.Reason.LIVE_MEMBERS, "group " + group
                    + " has " + n + " live member" + (n == 1 ? "" : "s") + " on topic " + topic + " ("
                    + String.join(", ", live.subList(0, Math.min(3, n))) + (n > 3 ? ", ..." : "") + "): stop "
                    + (n == 1 ? "it" : "them") + ", or wait until " + (n == 1 ? "its" : "their") + " session ends ("
                    + sessionTimeoutMs + " ms after the last heartbeat), then try again; nothing changed");
        }
        OffsetsChange change = new OffsetsChange(key);
        changing.put(key, change);
        return change;
    }

    /** An operator's change of a group's offsets in flight ({@link #beginOffsetsChange}). */
    public final class OffsetsChange {
        private final Key key;

        private OffsetsChange(Key key) {
            this.key = key;
        }

        /** The change was applied or failed: members get queues again. Idempotent. */
        public void end() {
            synchronized (GroupCoordinator.this) {
                changing.remove(key, this);
            }
        }
    }

    /** A member left on purpose: its queues are free at once. */
    public synchronized void leave(String group, String topic, String member) {
        GroupMembers g = groups.get(new Key(group, topic));
        if (g != null && g.remove(member)) {
            g.generation(); // advanced now: the members that stay get a new assignment at their next heartbeat
        }
    }
}
