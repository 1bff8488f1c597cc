package io.dledger.broker.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RemovedPeerConnectionsTest {
    private final List<PeerId> closed = new CopyOnWriteArrayList<>();
    private final List<Runnable> afterGrace = new ArrayList<>();
    private final RemovedPeerConnections listener = new RemovedPeerConnections(closed::add, afterGrace::add);

    private static Configuration conf(String... peers) {
        Configuration c = new Configuration();
        for (String p : peers) {
            c.addPeer(PeerId.parsePeer(p));
        }
        return c;
    }

    private void graceOver() {
        List<Runnable> due = new ArrayList<>(afterGrace);
        afterGrace.clear();
        due.forEach(Runnable::run);
    }

    @Test
    void aPeerStillOutOfTheConfigurationAfterTheGraceIsDisconnected() {
        listener.accept(conf("127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003", "127.0.0.1:9004"));
        listener.accept(conf("127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003")); // 9004 removed

        assertThat(closed).isEmpty(); // not before the grace period is over
        graceOver();
        assertThat(closed).containsExactly(PeerId.parsePeer("127.0.0.1:9004"));
    }

    @Test
    void aPeerBackInTheConfigurationWithinTheGraceKeepsItsConnection() {
        listener.accept(conf("127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"));
        listener.accept(conf("127.0.0.1:9001", "127.0.0.1:9002")); // a joint step or a replay removes 9003 ...
        listener.accept(conf("127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003")); // ... and adds it back

        graceOver();
        assertThat(closed).isEmpty();
    }

    @Test
    void theFirstConfigurationSeenRemovesNothingAndAFailedCloseIsSwallowed() {
        RemovedPeerConnections failing = new RemovedPeerConnections(p -> {
            throw new IllegalStateException("shutting down");
        }, afterGrace::add);
        failing.accept(conf("127.0.0.1:9001"));
        assertThat(afterGrace).isEmpty();
        failing.accept(conf("127.0.0.1:9002"));
        graceOver(); // does not throw
        assertThat(closed).isEmpty();
    }
}
