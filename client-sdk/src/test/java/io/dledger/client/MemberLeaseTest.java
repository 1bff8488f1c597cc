package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MemberLeaseTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void lastsASessionMinusOneIntervalFromTheAnsweredHeartbeatsSending() {
        MemberLease lease = new MemberLease();
        long sent = System.nanoTime() - 100 * MS;
        lease.answered(sent, 500, 2000);
        assertThat(lease.leftNanos(sent)).isEqualTo(1500 * MS);
        assertThat(lease.leftNanos(sent + 1500 * MS)).isZero();
        assertThat(lease.heartbeatMs()).isEqualTo(500);
        long farOff = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        assertThat(lease.deadline(farOff) - (sent + 1500 * MS)).isBetween(-MS, MS); // the lease ends first
        long soon = System.nanoTime() + 10 * MS;
        assertThat(lease.deadline(soon) - soon).isBetween(-MS, MS); // the operation ends first
    }

    @Test
    void theMarginIsAtMostHalfTheSession() {
        MemberLease lease = new MemberLease();
        long sent = System.nanoTime();
        lease.answered(sent, 3000, 4000);
        assertThat(lease.leftNanos(sent)).isEqualTo(2000 * MS);
        lease.answered(sent, 10, 50); // the interval has a floor of 100 ms, the session at least one interval
        assertThat(lease.heartbeatMs()).isEqualTo(100);
        assertThat(lease.leftNanos(sent)).isEqualTo(50 * MS);
    }

    @Test
    void theNextHeartbeatComesNoLaterThanTheLeasesEnd() {
        MemberLease lease = new MemberLease();
        long sent = System.nanoTime();
        lease.answered(sent, 500, 2000); // the lease ends 1,500 ms after sent
        assertThat(lease.nextHeartbeatMs(sent)).isEqualTo(500);
        assertThat(lease.nextHeartbeatMs(sent + 1200 * MS)).isEqualTo(301); // just past its end, not an interval
        assertThat(lease.nextHeartbeatMs(sent + 1500 * MS)).as("over: an interval").isEqualTo(500);
        assertThat(lease.nextHeartbeatMs(sent + 9000 * MS)).isEqualTo(500);
    }
}
