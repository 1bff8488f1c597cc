package io.dledger.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ConfigKeyTest {
    @Test
    void aMisspelledSettingNamesTheClosestKey() {
        assertThat(ConfigKey.didYouMean("raft.sycn")).isEqualTo(" (did you mean raft.sync?)");
        assertThat(ConfigKey.didYouMean("store.min.free")).isEqualTo(" (did you mean store.min.free.bytes?)");
        assertThat(ConfigKey.didYouMean("Retention.MS")).isEqualTo(" (did you mean retention.ms?)");
    }

    @Test
    void aLongKeyIsSuggestedWhenAShorterOneIsNearerButTooFarForItsLength() {
        assertThat(ConfigKey.didYouMean("retention.check.ms"))
                .isEqualTo(" (did you mean retention.check.interval.ms?)");
        assertThat(ConfigKey.didYouMean("raft.log.segment")).isEqualTo(" (did you mean raft.log.segment.bytes?)");
    }

    @Test
    void aNameFarFromEveryKeySuggestsNothing() {
        assertThat(ConfigKey.didYouMean("foo")).isEmpty();
        assertThat(ConfigKey.didYouMean("compression.type")).isEmpty();
    }

    @Test
    void unknownSetOptionsAreReportedWithASuggestion() {
        List<String> unknown = new ArrayList<>();
        Map<ConfigKey, String> known = ConfigKey.fromSettings(Map.of("raft.snyc", "false", "pull.max.bytes", "1"),
                unknown);
        assertThat(known).containsOnlyKeys(ConfigKey.PULL_MAX_BYTES);
        assertThat(unknown).containsExactly("unknown setting 'raft.snyc' given with --set (did you mean raft.sync?)");
    }
}
