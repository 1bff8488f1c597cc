package io.dledger.broker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ResultLineTest {
    @Test
    void formatsTheComparableResultLine() {
        assertThat(ResultLine.of("produce_msgs_per_s", 32, 1024, 25123.4567).format())
                .isEqualTo("RESULT peer=dledger metric=produce_msgs_per_s threads=32 size=1024 value=25123.457");
        assertThat(ResultLine.of("failover_failed_sends", 0).format())
                .isEqualTo("RESULT peer=dledger metric=failover_failed_sends value=0");
        assertThat(ResultLine.of("produce_p50_ms", 1, 1024, 0.85).format()).endsWith("value=0.85");
    }

    @Test
    void numbersNeverUseExponentsOrTrailingZeros() {
        assertThat(ResultLine.number(1.0e7)).isEqualTo("10000000");
        assertThat(ResultLine.number(0.0001)).isEqualTo("0");
        assertThat(ResultLine.number(12.5)).isEqualTo("12.5");
        assertThat(ResultLine.number(Double.NaN)).isEqualTo("NaN");
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(BenchReport.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(BenchReport.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
        assertThat(BenchReport.median(List.of())).isNaN();
    }

    @Test
    void severalWindowsGiveOneMedianPerMetricInFirstSeenOrderAndSumsTheCounts() {
        List<ResultLine> first = List.of(ResultLine.of("produce_msgs_per_s", 32, 1024, 9000),
                ResultLine.of("produce_p99_ms", 32, 1024, 12));
        List<ResultLine> second = List.of(ResultLine.of("produce_msgs_per_s", 32, 1024, 11000),
                ResultLine.of("produce_p99_ms", 32, 1024, 30), ResultLine.of("produce_call_us", 32, 1024, 1400));
        List<ResultLine> third = List.of(ResultLine.of("produce_msgs_per_s", 32, 1024, 10000),
                ResultLine.of("produce_p99_ms", 32, 1024, 14), ResultLine.of("produce_call_us", 32, 1024, 1500));

        List<ResultLine> errors = List.of(ResultLine.of("produce_errors", 32, 1024, 0));
        List<List<ResultLine>> windows = List.of(concat(first, errors), concat(second, errors),
                concat(third, List.of(ResultLine.of("produce_errors", 32, 1024, 120))));

        assertThat(BenchReport.combineWindows(windows, java.util.Set.of("produce_errors"))).containsExactly(
                ResultLine.of("produce_msgs_per_s", 32, 1024, 10000), ResultLine.of("produce_p99_ms", 32, 1024, 14),
                ResultLine.of("produce_errors", 32, 1024, 120), // summed: a median would show 0
                ResultLine.of("produce_call_us", 32, 1024, 1450)); // the median of the two windows that have it
        assertThat(BenchReport.combineWindows(List.of(first), java.util.Set.of())).isEqualTo(first);
    }

    private static List<ResultLine> concat(List<ResultLine> a, List<ResultLine> b) {
        List<ResultLine> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @Test
    void reportPrintsResultsAndCommentsInOrder() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        BenchReport r = new BenchReport(new PrintStream(buf, true, StandardCharsets.UTF_8));
        r.comment("load average at start: 0.1 0.2 0.3");
        r.result(ResultLine.of("consume_msgs_per_s", 150000));
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo(
                "# load average at start: 0.1 0.2 0.3\nRESULT peer=dledger metric=consume_msgs_per_s value=150000\n");
        assertThat(r.results()).hasSize(1);
    }
}
