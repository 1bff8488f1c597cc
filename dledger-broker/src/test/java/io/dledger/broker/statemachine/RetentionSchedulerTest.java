package io.dledger.broker.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.store.SegmentInfo;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RetentionSchedulerTest {
    // four segments of 100 bytes; first records at indexes 1, 10, 20, 30 written at times 1000, 2000, 3000, 4000
    private static final List<SegmentInfo> SEGS = List.of(new SegmentInfo(0, 100, 1, 1000),
            new SegmentInfo(100, 100, 10, 2000), new SegmentInfo(200, 100, 20, 3000),
            new SegmentInfo(300, 100, 30, 4000));

    @Test
    void ageDropsSegmentsWhoseSuccessorStartedBeforeTheCutoff() {
        assertThat(RetentionScheduler.firstIndexToKeep(SEGS, 2500 + 500, 1000, 0)).as("cutoff 2000: nothing older")
                .isZero();
        assertThat(RetentionScheduler.firstIndexToKeep(SEGS, 3500, 1000, 0)).isEqualTo(10);
        assertThat(RetentionScheduler.firstIndexToKeep(SEGS, 10_000, 1000, 0)).as("never the last segment")
                .isEqualTo(30);
    }

    @Test
    void sizeDropsTheOldestUntilTheLogFits() {
        assertThat(RetentionScheduler.firstIndexToKeep(SEGS, 0, 0, 400)).isZero();
        assertThat(RetentionScheduler.firstIndexToKeep(SEGS, 0, 0, 250)).isEqualTo(20);
        assertThat(RetentionScheduler.firstIndexToKeep(SEGS, 0, 0, 1)).isEqualTo(30);
    }
}
