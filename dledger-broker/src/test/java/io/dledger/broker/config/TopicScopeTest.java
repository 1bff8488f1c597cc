package io.dledger.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TopicScopeTest {
    @Test
    void namesMatchExactlyAndAStarMatchesEveryNameThatStartsSo() {
        TopicScope s = TopicScope.parse("topics=orders,billing-*");
        assertThat(s.allows("orders")).isTrue();
        assertThat(s.allows("orders2")).isFalse();
        assertThat(s.allows("billing-")).isTrue();
        assertThat(s.allows("billing-eu")).isTrue();
        assertThat(s.allows("billing")).isFalse();
        assertThat(s.allows("")).isFalse();
        assertThat(s.all()).isFalse();
        assertThat(s).hasToString("topics=orders,billing-*");
    }

    @Test
    void aStarAloneIsEveryTopic() {
        assertThat(TopicScope.parse("topics=orders,*")).isSameAs(TopicScope.ALL);
        assertThat(TopicScope.ALL.all()).isTrue();
        assertThat(TopicScope.ALL.allows("anything")).isTrue();
    }

    @Test
    void aPatternIsATopicNameWithAtMostATrailingStar() {
        for (String bad : new String[] {"topics=", "topics=a,,b", "topics=a,", "topics=or*ders", "topics=**",
                "topics=caf\u00e9", "topics=a/b"}) {
            assertThatThrownBy(() -> TopicScope.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a topic name");
        }
        assertThatThrownBy(() -> TopicScope.parse("orders")).hasMessageContaining("topics=PATTERN");
    }
}
