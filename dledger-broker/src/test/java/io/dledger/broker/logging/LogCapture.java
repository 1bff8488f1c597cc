package io.dledger.broker.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.read.ListAppender;

/** A Logback context of a turbo filter's test: the filter installed, the root at INFO, every event passed kept. */
final class LogCapture {
    final LoggerContext context = new LoggerContext();
    final ListAppender<ILoggingEvent> events = new ListAppender<>();

    LogCapture(TurboFilter filter) {
        filter.setContext(context);
        filter.start();
        context.addTurboFilter(filter);
        events.setContext(context);
        events.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(events);
    }
}
