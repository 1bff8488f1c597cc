package io.dledger.broker.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A command's own range checks of its numeric options, beyond picocli's type checks: each failure names the option
 * and the value given, and all of them are reported at once. Not thread-safe; one per command run.
 */
final class OptionLimits {
    private final List<String> problems = new ArrayList<>();

    /** Fails when {@code value} is given ({@code null}: left out) and below {@code min}. */
    OptionLimits atLeast(String option, Number value, long min) {
        if (value != null && value.longValue() < min) {
            problems.add(option + " must be at least " + min + ", not " + value);
        }
        return this;
    }

    /** Prints every failure to {@code err}; true when there was one (the command then exits with 2). */
    boolean reportTo(PrintStream err) {
        problems.forEach(p -> err.println("error: " + p));
        return !problems.isEmpty();
    }
}
