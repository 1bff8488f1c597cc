package io.dledger.broker.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where benchmark output goes: {@code RESULT} lines and {@code #} comments (machine load, progress) on
 * standard output, in order. Keeps the results for the caller. Thread-safe.
 */
final class BenchReport {
    private final PrintStream out;
    private final List<ResultLine> results = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    BenchReport(PrintStream out) {
        this.out = out;
    }

    synchronized void result(ResultLine r) {
        results.add(r);
        out.println(r.format());
        out.flush();
    }

    synchronized void comment(String text) {
        out.println("# " + text);
        out.flush();
    }

    /**
     * A promise the run found broken (an acknowledged message lost, a failover that never recovered): said as a
     * comment now, and the benchmark exits 1 at the end.
     */
    synchronized void failure(String text) {
        failures.add(text);
        comment("FAILED: " + text);
    }

    synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    synchronized List<ResultLine> results() {
        return List.copyOf(results);
    }

    /** The machine's load average (1, 5, 15 min), from /proc/loadavg where there is one. */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return String.join(" ", Arrays.copyOf(parts, 3));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * One result per metric, in the order the metrics first appear: the sum of that metric's values over the
     * windows for a metric in {@code summed} (counts, such as errors, which a median would hide), otherwise their
     * median, over the windows that have it (a write-path mean is missing from a window no node answered for).
     */
    static List<ResultLine> combineWindows(List<List<ResultLine>> windows, Set<String> summed) {
        Map<String, List<ResultLine>> byMetric = new LinkedHashMap<>();
        for (List<ResultLine> window : windows) {
            for (ResultLine r : window) {
                byMetric.computeIfAbsent(r.metric(), k -> new ArrayList<>()).add(r);
            }
        }
        List<ResultLine> out = new ArrayList<>();
        for (List<ResultLine> lines : byMetric.values()) {
            ResultLine first = lines.get(0);
            List<Double> values = lines.stream().map(ResultLine::value).toList();
            double combined = summed.contains(first.metric())
                    ? values.stream().mapToDouble(Double::doubleValue).sum() : median(values);
            out.add(new ResultLine(first.metric(), first.threads(), first.size(), combined));
        }
        return out;
    }

    /** Median of the values (mean of the middle two for an even count). */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
