package io.dledger.broker.cli;

import io.dledger.client.DLedgerClient;
import io.dledger.client.GroupDescription;
import io.dledger.client.PullConsumer;
import io.dledger.client.TimeOffsets;
import io.dledger.client.TopicDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dledger group reset-offsets}: moves a stopped group's committed offsets on a topic (to the first or last
 * offsets, an offset, a time, or by a number of messages). Shows the plan and changes nothing unless
 * {@code --execute} is given; the leader refuses the change while the group has live members.
 */
@Command(name = "reset-offsets", mixinStandardHelpOptions = true,
        description = {"Move a consumer group's committed offsets on a topic: replay messages, or skip a backlog.",
                "Shows the plan and changes nothing without --execute. The group's consumers must be stopped: the "
                        + "leader refuses while the group has live members (GROUP_ACTIVE)."})
final class GroupResetCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Mixin
    GroupTopicOptions on;

    @Option(names = {"-q", "--queue"}, paramLabel = "Q", description = "only this queue (repeat for more; default: "
            + "every queue)")
    List<Integer> queues;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--execute", description = "apply the plan (without it: only show it)")
    boolean execute;

    /** Where to move each queue's offset: exactly one of these. */
    static final class Target {
        @Option(names = "--to-earliest", required = true, description = "to the queue's first kept message")
        boolean earliest;

        @Option(names = "--to-latest", required = true, description = "to the queue's end (skip everything stored)")
        boolean latest;

        @Option(names = "--to-offset", required = true, paramLabel = "N", description = "to offset N (kept within "
                + "the queue's offsets)")
        Long offset;

        @Option(names = "--to-time", required = true, paramLabel = "TIME", description = "to the first message stored "
                + "at or after TIME: " + TimeArgument.FORMS)
        String time;

        @Option(names = "--shift-by", required = true, paramLabel = "N", description = "by N messages from the "
                + "committed offset (negative: back; a queue without one: from its first message), kept within the "
                + "queue's offsets")
        Long shift;
    }

    /** Why planned offsets differ from what was asked (kept within a queue's offsets), for the operator. */
    private final List<String> notes = new ArrayList<>();

    @Override
    public Integer call() {
        if (target.offset != null && target.offset < 0) {
            throw new IllegalArgumentException("--to-offset must be at least 0, not " + target.offset);
        }
        // bad input before any connection
        Long at = target.time == null ? null : TimeArgument.parse("--to-time", target.time);
        try (DLedgerClient c = client.connect()) {
            TopicDescription t = c.admin().describeTopic(on.topic);
            if (queues != null) {
                for (int q : queues) {
                    if (q < 0 || q >= t.queues()) {
                        throw new IllegalArgumentException("topic " + on.topic + " has queues 0.." + (t.queues() - 1)
                                + ", not " + q);
                    }
                }
            }
            // before the group's look, so that its ranges hold the offsets found
            Map<Integer, Long> atTime = at == null ? Map.of() : offsetsAt(c, t, at);
            // the plan's ranges and committed offsets from one answer; the incarnation from the look before it, so a
            // topic replaced in between is refused (TOPIC_REPLACED) instead of reset with the old topic's plan
            GroupDescription g = c.admin().describeGroup(on.group, on.topic);
            Map<Integer, Long> plan = new TreeMap<>();
            for (GroupDescription.QueueProgress q : g.queues()) {
                if (queues == null || queues.contains(q.queue())) {
                    plan.put(q.queue(), at != null ? atTime.get(q.queue()) : target(q));
                }
            }
            System.out.println(table(t, g, plan));
            notes.forEach(n -> System.err.println("note: " + n));
            if (GroupCommand.Describe.unknown(g)) {
                System.err.println(GroupCommand.Describe.unknownNote(g, "a new group", client.asFlags()));
            }
            if (!execute) {
                System.out.println("dry run: nothing changed; add --execute to apply"
                        + (g.members().isEmpty() ? "" : " (stop the group's " + g.members().size()
                        + " live member" + (g.members().size() == 1 ? "" : "s") + " first)"));
                return 0;
            }
            if (!g.members().isEmpty()) {
                // the plan rests on offsets they are still committing; the leader would refuse it too (GROUP_ACTIVE)
                System.err.println("error: group " + on.group + " has live members on " + on.topic + " ("
                        + String.join(", ", g.members().stream().map(GroupDescription.Member::memberId).toList())
                        + "): stop them, then run this again; nothing changed");
                return 1;
            }
            c.admin().resetOffsets(on.group, on.topic, t.incarnation(), plan);
            System.out.println("reset: group " + on.group + " starts from these offsets on " + on.topic);
            return 0;
        }
    }

    /** Per queue picked, the first offset stored at or after {@code at}, in the topic {@code t} describes. */
    private Map<Integer, Long> offsetsAt(DLedgerClient c, TopicDescription t, long at) {
        int[] picked = queues == null ? new int[0] : queues.stream().mapToInt(Integer::intValue).distinct().toArray();
        TimeOffsets found;
        try (PullConsumer pulls = c.newPullConsumer()) {
            found = pulls.offsetsForTime(on.topic, at, picked);
        }
        if (found.topicIncarnation() != t.incarnation()) {
            throw new IllegalStateException("topic " + on.topic + " was deleted and created again while planning; "
                    + "run this again");
        }
        return found.offsets();
    }

    /** The new offset of {@code q} for every target but {@code --to-time}. */
    private long target(GroupDescription.QueueProgress q) {
        long min = q.minOffset();
        long max = q.maxOffset();
        if (target.earliest) {
            return min;
        }
        if (target.latest) {
            return max;
        }
        if (target.offset != null) {
            return kept(q, target.offset);
        }
        if (target.shift != null) {
            long from = q.committedOffset().orElse(min);
            long shifted;
            try {
                shifted = Math.addExact(from, target.shift);
            } catch (ArithmeticException overflow) {
                shifted = target.shift < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            return kept(q, shifted);
        }
        throw new IllegalStateException("no target"); // picocli requires one of the group's options
    }

    /** {@code wanted} kept within the queue's offsets [min, max], with a note when that moved it. */
    private long kept(GroupDescription.QueueProgress q, long wanted) {
        long v = Math.max(q.minOffset(), Math.min(q.maxOffset(), wanted));
        if (v != wanted) {
            notes.add("queue " + q.queue() + ": offset " + wanted + " is outside its offsets [" + q.minOffset() + ", "
                    + q.maxOffset() + "]; planned at " + v);
        }
        return v;
    }

    static String table(TopicDescription t, GroupDescription g, Map<Integer, Long> plan) {
        StringBuilder out = new StringBuilder(String.format("group %s on topic %s (incarnation %d): %d live member%s%n",
                g.group(), t.topic(), t.incarnation(), g.members().size(), g.members().size() == 1 ? "" : "s"));
        out.append(String.format("  %-5s %10s %10s %10s %10s%n", "queue", "committed", "new", "min", "max"));
        for (GroupDescription.QueueProgress q : g.queues()) {
            Long to = plan.get(q.queue());
            if (to != null) {
                out.append(String.format("  %-5d %10s %10d %10d %10d%n", q.queue(), q.committedOffset().isPresent()
                        ? Long.toString(q.committedOffset().getAsLong()) : "-", to,
                        q.minOffset(), q.maxOffset()));
            }
        }
        return out.toString().stripTrailing();
    }
}
