package io.dledger.broker.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PortAllocatorTest {
    @Test
    void portsAreDistinctBelowTheEphemeralRangeAndBindable() throws Exception {
        PortAllocator ports = new PortAllocator(Set.of());
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            int p = ports.next();
            assertThat(p).isBetween(PortAllocator.FIRST, PortAllocator.FIRST + PortAllocator.COUNT - 1)
                    .isLessThan(32768);
            assertThat(seen.add(p)).as("port %d handed out twice", p).isTrue();
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(p));
            }
        }
    }

    @Test
    void skipsPortsAlreadyUsedAndPortsInUse() throws Exception {
        PortAllocator probe = new PortAllocator(Set.of());
        int held = probe.next();
        int other = probe.next();
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(held));
            Set<Integer> used = new HashSet<>();
            for (int p = PortAllocator.FIRST; p < PortAllocator.FIRST + PortAllocator.COUNT; p++) {
                if (p != held && p != other) {
                    used.add(p);
                }
            }
            // only held (bound here) and other remain candidates: held is in use, so other it is
            PortAllocator ports = new PortAllocator(used);
            assertThat(ports.next()).isEqualTo(other);
            assertThatThrownBy(ports::next).isInstanceOf(IllegalStateException.class);
        }
    }
}
