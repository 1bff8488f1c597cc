package io.dledger.broker.raft.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RecentTermsTest {
    private final RecentTerms terms = new RecentTerms(4);

    @Test
    void remembersTheLatestAppendsUpToItsCapacity() {
        assertThat(terms.termOf(1)).isEqualTo(RecentTerms.UNKNOWN);
        for (long i = 1; i <= 6; i++) {
            terms.appended(i, i < 5 ? 1 : 2);
        }
        assertThat(terms.termOf(2)).isEqualTo(RecentTerms.UNKNOWN); // pushed out: 3..6 remain
        assertThat(terms.termOf(3)).isEqualTo(1);
        assertThat(terms.termOf(5)).isEqualTo(2);
        assertThat(terms.termOf(6)).isEqualTo(2);
        assertThat(terms.termOf(7)).isEqualTo(RecentTerms.UNKNOWN);
    }

    @Test
    void aTruncatedSuffixIsForgottenAndItsIndexesTakeTheirNewTerms() {
        for (long i = 10; i <= 13; i++) {
            terms.appended(i, 3);
        }
        terms.truncateAfter(11);
        assertThat(terms.termOf(12)).isEqualTo(RecentTerms.UNKNOWN);
        terms.appended(12, 4);
        assertThat(terms.termOf(11)).isEqualTo(3);
        assertThat(terms.termOf(12)).isEqualTo(4);
        assertThat(terms.termOf(13)).isEqualTo(RecentTerms.UNKNOWN);
        terms.truncateAfter(5); // below everything remembered
        assertThat(terms.termOf(11)).isEqualTo(RecentTerms.UNKNOWN);
    }

    @Test
    void aResetOrAnAppendThatDoesNotFollowStartsAfresh() {
        terms.appended(1, 1);
        terms.appended(2, 1);
        terms.reset(100);
        assertThat(terms.termOf(2)).isEqualTo(RecentTerms.UNKNOWN);
        terms.appended(100, 5);
        assertThat(terms.termOf(100)).isEqualTo(5);
        terms.appended(200, 6); // a gap: what came before is not contiguous with it
        assertThat(terms.termOf(100)).isEqualTo(RecentTerms.UNKNOWN);
        assertThat(terms.termOf(200)).isEqualTo(6);
    }

    @Test
    void theCapacityIsAPowerOfTwo() {
        assertThatThrownBy(() -> new RecentTerms(3)).isInstanceOf(IllegalArgumentException.class);
    }
}
