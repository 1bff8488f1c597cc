package io.dledger.broker.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Marker;
import org.slf4j.helpers.FormattingTuple;
import org.slf4j.helpers.MessageFormatter;

/**
 * A Logback turbo filter that keeps a dependency's repeated log line from flooding the node log. While a peer is
 * down, Bolt and JRaft log a connection failure with its stack trace several times a second per peer (about 900
 * lines a second on the leader of a three-node cluster with one node killed). For WARN and ERROR lines of loggers
 * outside {@code io.dledger}, a line (same logger, level, text and exception class) passes the first time and
 * then at most once per {@link #setIntervalMillis interval}; the next one that passes is preceded by a line of
 * this class saying how many were dropped (repeats that stop, or a table reset, go uncounted). A line with
 * other text (another peer, another cause) is a line of its own. The broker's own lines, and the dependencies'
 * INFO and DEBUG lines (switched on by an operator), are never dropped.
 *
 * <p>Configured in {@code logback.xml}. Thread-safety: {@link #decide} runs on every logging thread at once;
 * the per-line state is a small synchronized window. At most {@value #MAX_LINES} distinct lines are tracked;
 * beyond that the table starts afresh (lines with changing text, such as request ids, would otherwise grow it).
 */
public final class RepeatLimiter extends TurboFilter {
    static final int MAX_LINES = 1024;
    static final int MAX_TEXT = 300;
    private static final String OWN_PREFIX = "io.dledger";

    private final LongSupplier clockMillis;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
    private volatile long intervalMillis = 30_000;

    /** Used by Logback. */
    public RepeatLimiter() {
        this(System::currentTimeMillis);
    }

    RepeatLimiter(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /** How long a passed line keeps its repeats out (milliseconds, at least 1). */
    public void setIntervalMillis(long intervalMillis) {
        this.intervalMillis = Math.max(1, intervalMillis);
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
            Throwable t) {
        if (format == null || level == null || !level.isGreaterOrEqual(Level.WARN)
                || logger.getName().startsWith(OWN_PREFIX) || !logger.isEnabledFor(level)) {
            return FilterReply.NEUTRAL;
        }
        if (windows.size() >= MAX_LINES) {
            windows.clear();
        }
        FormattingTuple formatted = MessageFormatter.arrayFormat(format, params);
        String text = formatted.getMessage();
        Throwable thrown = t != null ? t : formatted.getThrowable(); // logger.warn("..{}", arg, e) passes e here
        if (text.length() > MAX_TEXT) {
            text = text.substring(0, MAX_TEXT);
        }
        long now = clockMillis.getAsLong();
        Window w = windows.computeIfAbsent(logger.getName() + '|' + level + '|' + text + '|'
                + (thrown == null ? "" : thrown.getClass().getName()), k -> new Window());
        long dropped;
        synchronized (w) {
            if (w.passedAt != Long.MIN_VALUE && now - w.passedAt < intervalMillis) {
                w.dropped++;
                return FilterReply.DENY;
            }
            dropped = w.dropped;
            w.dropped = 0;
            w.passedAt = now;
        }
        if (dropped > 0) {
            logger.getLoggerContext().getLogger(RepeatLimiter.class).warn(
                    "{} repeats of \"{}\" ({} {}) were dropped since it was last logged", dropped, text, level,
                    logger.getName());
        }
        return FilterReply.NEUTRAL;
    }

    /** One line's state: when it last passed, and how many were dropped since. */
    private static final class Window {
        long passedAt = Long.MIN_VALUE;
        long dropped;
    }
}
