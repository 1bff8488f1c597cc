package io.dledger.broker.raft.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RecentEntriesTest {
    private final RecentEntries recent = new RecentEntries();

    @Test
    void keepsTheNewestEntriesByIndex() {
        for (long i = 1; i <= 300; i++) {
            recent.put(i, new byte[] {(byte) i});
        }
        assertThat(recent.get(300)).containsExactly((byte) 300);
        assertThat(recent.get(300 - RecentEntries.SLOTS + 1)).containsExactly((byte) (300 - RecentEntries.SLOTS + 1));
        assertThat(recent.get(300 - RecentEntries.SLOTS)).as("its slot holds a newer entry").isNull();
        assertThat(recent.get(301)).isNull();
    }

    @Test
    void aLargePayloadIsNotKeptAndDoesNotLeaveAnOlderOneInItsSlot() {
        recent.put(5, new byte[] {1});
        recent.put(5 + RecentEntries.SLOTS, new byte[RecentEntries.MAX_PAYLOAD_BYTES + 1]);
        assertThat(recent.get(5 + RecentEntries.SLOTS)).isNull();
        assertThat(recent.get(5)).isNull();
        recent.put(6, new byte[RecentEntries.MAX_PAYLOAD_BYTES]);
        assertThat(recent.get(6)).hasSize(RecentEntries.MAX_PAYLOAD_BYTES);
    }

    @Test
    void dropAfterAndClearForgetWhatATruncationRemoves() {
        for (long i = 1; i <= 10; i++) {
            recent.put(i, new byte[] {(byte) i});
        }
        recent.dropAfter(7);
        assertThat(recent.get(7)).isNotNull();
        assertThat(recent.get(8)).isNull();
        recent.clear();
        assertThat(recent.get(1)).isNull();
    }
}
