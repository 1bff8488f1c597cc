package io.dledger.broker.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BoltStartupLinesTest {
    private final LogCapture log = new LogCapture(new BoltStartupLines());
    private final LoggerContext context = log.context;
    private final ListAppender<ILoggingEvent> events = log.events;
    private Logger bolt;

    @BeforeEach
    void setUp() {
        bolt = context.getLogger(BoltStartupLines.BOLT_LOGGER);
        bolt.setLevel(Level.WARN); // as logback.xml sets com.alipay.sofa.common
    }

    private void logStartup() {
        bolt.warn("[client side] bolt netty low water mark is {} bytes, high water mark is {} bytes", 262144, 524288);
        bolt.warn("Switch on reconnect manager");
        bolt.warn("[server side] bolt netty low water mark is {} bytes, high water mark is {} bytes", 262144, 524288);
        bolt.warn("Prepare to start server on port {} ", 28287);
        bolt.warn("Server started on port {}", 28287);
        bolt.warn("Sofa-Middleware-Log SLF4J Warn : No log util is usable, Default app logger will be used.");
        bolt.warn("check failed. address: {}, connection: null", "127.0.0.1:24990");
    }

    @Test
    void boltsStartupNoticesAreDroppedAndItsWarningsPass() {
        logStartup();
        assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("check failed. address: 127.0.0.1:24990, connection: null");
    }

    @Test
    void everythingPassesWhenAnOperatorAsksBoltForInfo() {
        bolt.setLevel(Level.INFO);
        logStartup();
        assertThat(events.list).hasSize(7);
        context.getLogger("io.dledger.x").warn("Server started on port 1");
        assertThat(events.list).as("another logger's line").hasSize(8);
        assertThat(List.copyOf(events.list)).allMatch(e -> e.getLevel() == Level.WARN);
    }
}
