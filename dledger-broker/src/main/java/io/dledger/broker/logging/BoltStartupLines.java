package io.dledger.broker.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import org.slf4j.Marker;

/**
 * A Logback turbo filter that drops the informational lines Bolt (the Raft transport under JRaft) logs as WARN at
 * every node start through its logger {@value #BOLT_LOGGER}: its water marks, "Switch on reconnect manager", "Prepare
 * to start server on port", "Server started on port" and sofa-common's notes on which logging library it uses. A
 * newcomer reads them as problems; they say nothing an operator acts on. Every other line of that logger (connection
 * failures, say) passes, and so does everything when the logger is set to INFO or DEBUG (an operator looking into
 * Bolt).
 *
 * <p>Configured in {@code logback.xml}. Thread-safety: stateless.
 */
public final class BoltStartupLines extends TurboFilter {
    static final String BOLT_LOGGER = "com.alipay.sofa.common.log";
    /** How the dropped lines start (after Bolt's optional "[client side] " or "[server side] "). */
    static final List<String> PREFIXES = List.of("bolt netty low water mark", "Switch on reconnect manager",
            "Prepare to start server on port", "Server started on port", "Sofa-Middleware-Log SLF4J Warn");

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
            Throwable t) {
        if (format == null || level != Level.WARN || t != null || !BOLT_LOGGER.equals(logger.getName())
                || logger.isInfoEnabled()) {
            return FilterReply.NEUTRAL;
        }
        String text = format.startsWith("[client side] ") || format.startsWith("[server side] ")
                ? format.substring(14) : format;
        return PREFIXES.stream().anyMatch(text::startsWith) ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
