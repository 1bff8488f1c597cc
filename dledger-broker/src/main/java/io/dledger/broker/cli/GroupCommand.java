package io.dledger.broker.cli;

import com.google.gson.GsonBuilder;
import io.dledger.client.DLedgerClient;
import io.dledger.client.GroupDescription;
import io.dledger.client.GroupListing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dledger group list|describe|reset-offsets|delete}: consumer groups, their members and progress. */
@Command(name = "group", mixinStandardHelpOptions = true, description = "List and describe consumer groups; reset or delete their offsets.",
        subcommands = {GroupCommand.ListGroups.class, GroupCommand.Describe.class, GroupResetCommand.class,
                GroupCommand.Delete.class})
final class GroupCommand {

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the consumer groups (those with committed offsets or live members) with their lag.")
    static final class ListGroups implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = {"-t", "--topic"}, description = "only this topic's groups")
        String topic;

        @Override
        public Integer call() {
            try (DLedgerClient c = client.connect()) {
                System.out.println(table(c.admin().listGroups(topic)));
                return 0;
            }
        }

        static String table(GroupListing listing) {
            if (listing.groups().isEmpty()) {
                return "no groups";
            }
            StringBuilder out = new StringBuilder(String.format("%-30s %-30s %8s %12s%n", "group", "topic", "members",
                    "lag"));
            listing.groups().forEach(g -> out.append(String.format("%-30s %-30s %8d %12d%n", g.group(), g.topic(),
                    g.liveMembers(), g.totalLag())));
            if (listing.truncated()) {
                out.append(String.format("(the leader lists at most %,d groups at once; more exist: use --topic)%n",
                        listing.groups().size()));
            }
            return out.toString().stripTrailing();
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show a consumer group's live members and, per queue, its committed offset, the "
                    + "queue's offsets, the lag (messages not yet consumed) and the member that owns it.")
    static final class Describe implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Mixin
        GroupTopicOptions on;

        @Option(names = "--json", description = "print JSON instead of a table")
        boolean json;

        @Override
        public Integer call() {
            try (DLedgerClient c = client.connect()) {
                GroupDescription d = c.admin().describeGroup(on.group, on.topic);
                System.out.println(json ? json(d) : table(d));
                if (!json && unknown(d)) { // a typo would otherwise look like a group that fell behind
                    System.err.println(unknownNote(d, "never used there", client.asFlags()));
                }
                return 0;
            }
        }

        /**
         * The note for a group {@link #unknown} on its topic, which {@code likely} may be; {@code again}: the
         * connection options given ({@link ClientOptions#asFlags}).
         */
        static String unknownNote(GroupDescription d, String likely, String again) {
            return "note: group '" + d.group() + "' has no live members and no committed offsets on " + d.topic()
                    + " (" + likely + ", or misspelled?); 'bin/dledger group list" + again + "' lists the groups";
        }

        static boolean unknown(GroupDescription d) {
            return d.members().isEmpty() && d.queues().stream().noneMatch(q -> q.committedOffset().isPresent());
        }

        static String table(GroupDescription d) {
            StringBuilder out = new StringBuilder();
            out.append(String.format("group %s on topic %s: %d live member%s, lag %d message%s%n", d.group(),
                    d.topic(), d.members().size(), d.members().size() == 1 ? "" : "s", d.totalLag(),
                    d.totalLag() == 1 ? "" : "s"));
            out.append(String.format("  %-5s %10s %10s %10s %10s  %s%n", "queue", "committed", "min", "max", "lag",
                    "owner"));
            for (GroupDescription.QueueProgress q : d.queues()) {
                out.append(String.format("  %-5d %10s %10d %10d %10d  %s%n", q.queue(),
                        q.committedOffset().isPresent() ? Long.toString(q.committedOffset().getAsLong()) : "-",
                        q.minOffset(), q.maxOffset(), q.lag(), q.owner() == null ? "-" : q.owner()));
            }
            for (GroupDescription.Member m : d.members()) {
                out.append(String.format("  member %s: queues %s, last heartbeat %d ms ago%n", m.memberId(),
                        m.queues(), m.lastHeartbeatMsAgo()));
            }
            return out.toString().stripTrailing();
        }

        static String json(GroupDescription d) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("group", d.group());
            root.put("topic", d.topic());
            root.put("generation", d.generation());
            root.put("totalLag", d.totalLag());
            List<Map<String, Object>> queues = new ArrayList<>();
            for (GroupDescription.QueueProgress q : d.queues()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("queue", q.queue());
                m.put("committedOffset", q.committedOffset().isPresent() ? q.committedOffset().getAsLong() : null);
                m.put("minOffset", q.minOffset());
                m.put("maxOffset", q.maxOffset());
                m.put("lag", q.lag());
                m.put("owner", q.owner());
                queues.add(m);
            }
            root.put("queues", queues);
            List<Map<String, Object>> members = new ArrayList<>();
            for (GroupDescription.Member m : d.members()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("memberId", m.memberId());
                e.put("queues", m.queues());
                e.put("lastHeartbeatMsAgo", m.lastHeartbeatMsAgo());
                members.add(e);
            }
            root.put("members", members);
            return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(root);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete a consumer group's committed offsets on a topic (a group no longer used; used again, "
                    + "it starts as a new group). The group's consumers must be stopped (GROUP_ACTIVE otherwise)."})
    static final class Delete implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Mixin
        GroupTopicOptions on;

        @Override
        public Integer call() {
            try (DLedgerClient c = client.connect()) {
                System.out.println(c.admin().deleteGroup(on.group, on.topic)
                        ? "deleted group " + on.group + "'s offsets on " + on.topic
                        : "group " + on.group + " had no offsets on " + on.topic + ": nothing deleted");
                return 0;
            }
        }
    }
}
