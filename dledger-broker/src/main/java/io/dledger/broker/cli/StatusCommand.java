package io.dledger.broker.cli;

import io.dledger.client.ClusterView;
import io.dledger.client.DLedgerClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dledger status}: every node's role, term, leader and commit/applied index. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show every node: role, term, leader, commit and applied index, lag behind the leader, free "
                + "disk; exit code 3 when no leader is elected, 1 when no node answers.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Option(names = {"-w", "--watch"}, description = "refresh every second until Ctrl-C (see re-elections live)")
    boolean watch;

    @Override
    public Integer call() throws InterruptedException {
        if (watch && json) {
            System.err.println("error: --watch draws a table; for JSON, run status --json once per look");
            return 2;
        }
        if (watch) {
            return watch();
        }
        try (DLedgerClient c = client.connectUnchecked()) {
            ClusterView view = c.admin().describeCluster();
            if (json) { // the JSON says which nodes answered; no node answering still exits 1
                System.out.println(ClusterTable.json(view));
                return ClusterTable.exitCode(view);
            }
            ClusterTable.requireSomeReachable(view); // like any command that reached no node
            ClusterTable.print(view, System.out);
            return ClusterTable.exitCode(view);
        }
    }

    /**
     * Redraws the table every second; a node that stops answering or a new leader shows up within a second. Into a
     * pipe or a file (no console) each look is appended, without the terminal's clear-screen codes.
     */
    private int watch() throws InterruptedException {
        // a look may take a while on a busy machine (and the first, of a cold client, does): a node that does not
        // answer within 2 s is shown as unreachable
        try (DLedgerClient c = client.builder().requestTimeout(java.time.Duration.ofSeconds(2))
                .operationTimeout(java.time.Duration.ofSeconds(3)).build()) {
            String lastLeader = null;
            StringBuilder changes = new StringBuilder();
            boolean console = onTerminal();
            boolean drawn = false; // a look was drawn already
            while (!Thread.currentThread().isInterrupted()) {
                ClusterView view;
                try {
                    view = c.admin().describeCluster();
                } catch (RuntimeException e) {
                    view = null;
                }
                String now = java.time.LocalTime.now().format(java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss"));
                String leader = view == null ? null : view.leaderId();
                if (!drawn) { // the leader found at start is no change
                    changes.append(now).append("  leader ").append(leader == null ? "none" : leader)
                            .append(" at start\n");
                    lastLeader = leader;
                } else if (!java.util.Objects.equals(leader, lastLeader)) {
                    changes.append(now).append("  leader ").append(lastLeader == null ? "none" : lastLeader)
                            .append(" -> ").append(leader == null ? "none" : leader).append('\n');
                    lastLeader = leader;
                }
                System.out.print(console ? "\033[H\033[2J" : drawn ? "\n" : "");
                drawn = true;
                System.out.println("dledger status " + now + " (Ctrl-C to stop)\n");
                if (view == null) {
                    System.out.println("no answer from " + client.resolveServers());
                } else {
                    ClusterTable.print(view, System.out);
                }
                System.out.println("\nleader changes seen:\n" + changes);
                System.out.flush();
                Thread.sleep(1000);
            }
        }
        return 0;
    }

    /** Whether standard output is a terminal: a console before JDK 22; from 22 on, one whose isTerminal() says so. */
    private static boolean onTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
