package io.dledger.broker.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RepeatLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LogCapture log = new LogCapture(limiter());
    private final LoggerContext context = log.context;
    private final ListAppender<ILoggingEvent> events = log.events;

    private RepeatLimiter limiter() {
        RepeatLimiter limiter = new RepeatLimiter(now::get);
        limiter.setIntervalMillis(30_000);
        return limiter;
    }

    private List<String> messages() {
        return events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aDependencysRepeatedLinePassesOncePerIntervalAndSaysHowManyWereDropped() {
        Logger bolt = context.getLogger("com.alipay.remoting.Connection");
        for (int i = 0; i < 100; i++) {
            bolt.warn("Create connection to {} error!", "127.0.0.1:9002", new java.io.IOException("refused"));
        }
        assertThat(messages()).containsExactly("Create connection to 127.0.0.1:9002 error!");
        assertThat(events.list.get(0).getThrowableProxy()).as("the first one keeps its stack trace").isNotNull();

        bolt.warn("Create connection to {} error!", "127.0.0.1:9003", new java.io.IOException("refused")); // own line
        now.addAndGet(29_999);
        bolt.warn("Create connection to {} error!", "127.0.0.1:9002", new java.io.IOException("refused"));
        assertThat(events.list).hasSize(2);

        now.addAndGet(1);
        bolt.warn("Create connection to {} error!", "127.0.0.1:9002", new java.io.IOException("refused"));
        assertThat(messages()).containsExactly("Create connection to 127.0.0.1:9002 error!",
                "Create connection to 127.0.0.1:9003 error!",
                "100 repeats of \"Create connection to 127.0.0.1:9002 error!\" (WARN com.alipay.remoting.Connection) "
                        + "were dropped since it was last logged",
                "Create connection to 127.0.0.1:9002 error!");
    }

    @Test
    void otherLinesLevelsAndTheBrokersOwnLinesAreNotLimited() {
        Logger jraft = context.getLogger("com.alipay.sofa.jraft.core.Replicator");
        Logger own = context.getLogger("io.dledger.broker.statemachine.BrokerStateMachine");
        for (int i = 0; i < 3; i++) {
            jraft.warn("Fail to issue RPC to {}", "a");
            jraft.error("Fail to issue RPC to {}", "a");
            jraft.warn("Fail to issue RPC to {}", "a", new IllegalStateException("another cause"));
            jraft.info("an operator's INFO line");
            own.warn("leader change: {}", "same");
        }
        assertThat(messages()).containsExactly("Fail to issue RPC to a", "Fail to issue RPC to a",
                "Fail to issue RPC to a", "an operator's INFO line", "leader change: same",
                "an operator's INFO line", "leader change: same", "an operator's INFO line", "leader change: same");
    }

    @Test
    void linesBelowTheLoggersLevelAreNotCountedAndTheTableStaysBounded() {
        Logger quiet = context.getLogger("io.grpc.netty");
        quiet.setLevel(Level.ERROR);
        quiet.warn("filtered by level");
        quiet.error("shown");
        assertThat(messages()).containsExactly("shown");

        Logger bolt = context.getLogger("com.alipay.remoting");
        for (int i = 0; i < RepeatLimiter.MAX_LINES * 3; i++) {
            bolt.warn("Cannot find InvokeFuture, id=" + i); // text changes every time: nothing repeats
        }
        assertThat(events.list).hasSize(1 + RepeatLimiter.MAX_LINES * 3);
    }
}
