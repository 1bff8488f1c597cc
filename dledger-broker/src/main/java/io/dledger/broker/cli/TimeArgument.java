package io.dledger.broker.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;

/**
 * A point in time given on the command line ({@code group reset-offsets --to-time}, {@code consume --from-time}): an
 * instant, a date-time with an offset or without one (this machine's zone; a space instead of the {@code T} too), a
 * date (its midnight there), or epoch milliseconds. Stateless.
 */
final class TimeArgument {
    /** Epoch milliseconds below this (March 1973) are taken for seconds given by mistake. */
    static final long MIN_EPOCH_MS = 100_000_000_000L;

    /** How the forms read, for an option's description. */
    static final String FORMS = "2026-11-27T10:00:00Z, 2026-11-27T11:00:00+01:00, 2026-11-27T10:00:00 or 2026-11-27 "
            + "(midnight; both in this machine's time zone; a space for the T works too) or milliseconds since the "
            + "epoch";

    private TimeArgument() {
    }

    /**
     * {@code given} in milliseconds since the epoch.
     *
     * @param option the option that gave it, for the error
     * @throws IllegalArgumentException naming {@code option} and the forms it takes, when it reads as none of them
     */
    static long parse(String option, String given) {
        String text = given.strip().replaceFirst("^(\\d{4}-\\d{2}-\\d{2}) ", "$1T");
        if (text.matches("\\d{1,18}")) {
            long ms = Long.parseLong(text);
            if (ms < MIN_EPOCH_MS) {
                throw new IllegalArgumentException(option + ": " + text + " ms is in " + Instant.ofEpochMilli(ms)
                        .toString().substring(0, 4) + "; give milliseconds since the epoch (seconds * 1000)");
            }
            return ms;
        }
        List<Function<String, Instant>> forms = List.of(x -> OffsetDateTime.parse(x).toInstant(), // Z too
                x -> LocalDateTime.parse(x).atZone(ZoneId.systemDefault()).toInstant(),
                x -> LocalDate.parse(x).atStartOfDay(ZoneId.systemDefault()).toInstant());
        for (Function<String, Instant> form : forms) {
            try {
                return form.apply(text).toEpochMilli();
            } catch (DateTimeParseException notThisForm) {
                // the next form
            }
        }
        throw new IllegalArgumentException(option + ": cannot read '" + given + "': give 2026-11-27T10:00:00Z, "
                + "2026-11-27T11:00:00+01:00, 2026-11-27T10:00:00, 2026-11-27 or milliseconds since the epoch");
    }
}
