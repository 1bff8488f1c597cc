package io.dledger.broker.bench;

import io.dledger.broker.local.LocalCluster;
import io.dledger.broker.local.NodeProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code dledger bench raft}: starts the three nodes of a local cluster as {@link RaftBenchNodeCommand}s and copies
 * the report the leader writes ({@link #REPORT_FILE} in its data directory) to standard output as it grows, until
 * its last line, {@link #DONE}: the first report to appear. Fails as soon as any node exits, when a second node
 * starts the load (leadership moved: the figures are void), when the report counts failed entries, or when it is not
 * done in time.
 *
 * <p>Not thread-safe; one call of {@link #run} per cluster.
 */
final class RaftBench {
    static final String REPORT_FILE = "raft-bench.out";
    static final String DONE = "raft bench done";
    private static final int LOG_TAIL_LINES = 15;
    private static final Pattern FAILED_ENTRIES = Pattern.compile(
            "metric=raft_errors threads=(\\d+) size=\\d+ value=([1-9][0-9.]*)");

    private final LocalCluster cluster;
    private final PrintStream out;
    private String reporter; // the node whose report is copied: the first to write one
    private long copied; // bytes of the reporter's report copied so far
    private final List<String> failedEntries = new ArrayList<>(); // "N at T threads" for each phase with raft_errors

    private final BooleanSupplier ending;

    /**
     * {@code cluster} must start its nodes with {@link RaftBenchNodeCommand}'s command; {@code ending} tells when this
     * JVM is ending (Ctrl-C): nodes that exit then are no failure to report.
     */
    RaftBench(LocalCluster cluster, PrintStream out, BooleanSupplier ending) {
        this.cluster = cluster;
        this.out = out;
        this.ending = ending;
    }

    /**
     * Starts the nodes and copies the leader's report; true once it is done. False when a node exited (none should
     * during the benchmark), leadership moved, an entry failed, or time ran out: then it says why on stderr, with the
     * end of every node's log. Also false, silently, when this JVM is ending.
     */
    boolean run(Duration timeout) throws IOException, InterruptedException {
        for (NodeProcess n : cluster.nodes()) { // a kept --local-dir may hold an earlier run's report
            Files.deleteIfExists(n.dataDir().resolve(REPORT_FILE));
        }
        cluster.startAll();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (NodeProcess n : cluster.nodes()) {
                if ((reporter == null || reporter.equals(n.id())) && copyNewLines(n)) {
                    return failedEntries.isEmpty() || failed("entries failed during the run (" + failedEntries
                            + "): leadership moved or the leader refused them; the figures above are void");
                }
            }
            List<String> others = cluster.nodes().stream().filter(n -> reporter != null && !reporter.equals(n.id())
                    && Files.exists(n.dataDir().resolve(REPORT_FILE))).map(NodeProcess::id).toList();
            if (!others.isEmpty()) {
                return failed("leadership moved during the run: " + others + " started the load too; the figures "
                        + "are void");
            }
            if (ending.getAsBoolean()) {
                return false;
            }
            List<String> exited = cluster.nodes().stream().filter(n -> !n.alive()).map(NodeProcess::id).toList();
            if (!exited.isEmpty()) {
                return failed(exited + " exited during the Raft benchmark");
            }
            Thread.sleep(200);
        }
        return failed("the Raft benchmark did not finish within " + timeout.toSeconds() + " s");
    }

    private boolean failed(String why) {
        System.err.println(why + "; the end of each node's log:");
        for (NodeProcess n : cluster.nodes()) {
            System.err.println("--- " + n.logFile());
            try {
                List<String> lines = Files.readAllLines(n.logFile(), StandardCharsets.UTF_8);
                lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()).forEach(System.err::println);
            } catch (IOException | java.io.UncheckedIOException e) {
                System.err.println("(cannot read it: " + e.getMessage() + ")");
            }
        }
        return false;
    }

    /** Copies the whole lines added to {@code n}'s report since the last call; true when the last was DONE. */
    private boolean copyNewLines(NodeProcess n) throws IOException {
        Path file = n.dataDir().resolve(REPORT_FILE);
        if (!Files.exists(file)) {
            return false;
        }
        long from = n.id().equals(reporter) ? copied : 0;
        byte[] added;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            added = new byte[(int) Math.max(0, f.length() - from)];
            f.seek(from);
            f.readFully(added);
        }
        int end = lastNewline(added);
        if (end < 0) {
            return false;
        }
        String text = new String(added, 0, end + 1, StandardCharsets.UTF_8);
        copied = from + end + 1;
        reporter = n.id();
        Matcher m = FAILED_ENTRIES.matcher(text);
        while (m.find()) {
            failedEntries.add(m.group(2) + " at " + m.group(1) + " threads");
        }
        out.print(text);
        out.flush();
        return text.endsWith("# " + DONE + "\n");
    }

    private static int lastNewline(byte[] b) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
