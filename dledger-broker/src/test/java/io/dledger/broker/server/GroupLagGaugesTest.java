package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dledger.proto.GroupSummary;
import io.dledger.proto.ListGroupsResponse;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class GroupLagGaugesTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicBoolean leader = new AtomicBoolean(true);
    private final List<Integer> asked = new ArrayList<>();
    private final AtomicReference<ListGroupsResponse> answer = new AtomicReference<>(ListGroupsResponse.newBuilder()
            .addGroups(summary("billing", "invoices", 42, 2)).addGroups(summary("audit", "invoices", 0, 0)).build());
    private final IntFunction<ListGroupsResponse> summaries = max -> {
        asked.add(max);
        return answer.get();
    };

    private static GroupSummary summary(String group, String topic, long lag, int members) {
        return GroupSummary.newBuilder().setGroup(group).setTopic(topic).setTotalLag(lag).setLiveMembers(members)
                .build();
    }

    @Test
    void theLeaderExportsEachPairsLagAndLiveMembersAsPrometheusShowsThem() {
        GroupLagGauges gauges = new GroupLagGauges(registry, leader::get, summaries, 1000);
        gauges.refresh();
        assertThat(asked).containsExactly(1000);
        assertThat(registry.scrape()).contains(
                "dledger_group_lag_messages{group=\"billing\",topic=\"invoices\"} 42.0",
                "dledger_group_lag_messages{group=\"audit\",topic=\"invoices\"} 0.0",
                "dledger_group_members{group=\"billing\",topic=\"invoices\"} 2.0",
                "dledger_group_members{group=\"audit\",topic=\"invoices\"} 0.0",
                "dledger_group_lag_capped 0.0");

        answer.set(ListGroupsResponse.newBuilder().addGroups(summary("billing", "invoices", 7, 1)).build());
        gauges.refresh();
        assertThat(registry.scrape()).as("values taken again, a pair gone is dropped")
                .contains("dledger_group_lag_messages{group=\"billing\",topic=\"invoices\"} 7.0",
                        "dledger_group_members{group=\"billing\",topic=\"invoices\"} 1.0")
                .doesNotContain("group=\"audit\"");
    }

    @Test
    void aNodeThatStopsLeadingDropsItsSeriesAndAFollowerComputesNothing() {
        answer.set(answer.get().toBuilder().setTruncated(true).build());
        GroupLagGauges gauges = new GroupLagGauges(registry, leader::get, summaries, 1000);
        gauges.refresh();
        assertThat(registry.scrape()).contains("dledger_group_lag_capped 1.0");
        leader.set(false);
        gauges.refresh();
        assertThat(asked).hasSize(1);
        assertThat(registry.scrape()).doesNotContain("dledger_group_lag_messages{", "dledger_group_members{")
                .contains("dledger_group_lag_capped 0.0");
    }

    @Test
    void aScrapeBesideARefreshSeesEveryPairThatWasThereBefore() throws Exception {
        GroupLagGauges gauges = new GroupLagGauges(registry, leader::get, summaries, 1000);
        gauges.refresh();
        AtomicBoolean scraping = new AtomicBoolean(true);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        AtomicLong refreshes = new AtomicLong();
        Thread refreshing = new Thread(() -> {
            try {
                while (scraping.get()) {
                    gauges.refresh();
                    refreshes.incrementAndGet();
                }
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        refreshing.start();
        try {
            await().until(() -> refreshes.get() > 0);
            for (int i = 0; i < 200; i++) {
                assertThat(registry.scrape()).as("scrape " + i)
                        .contains("dledger_group_lag_messages{group=\"billing\",topic=\"invoices\"} 42.0",
                                "dledger_group_members{group=\"audit\",topic=\"invoices\"} 0.0");
            }
        } finally {
            scraping.set(false);
            refreshing.join();
        }
        assertThat(failed.get()).isNull();
        assertThat(refreshes.get()).as("refreshes ran throughout").isGreaterThan(1);
    }

    @Test
    void theCapIsPassedOnAndACutListIsShown() {
        answer.set(answer.get().toBuilder().setTruncated(true).build());
        GroupLagGauges gauges = new GroupLagGauges(registry, leader::get, summaries, 2);
        gauges.refresh();
        assertThat(asked).containsExactly(2);
        assertThat(registry.scrape()).contains("dledger_group_lag_capped 1.0");
    }

    @Test
    void aCapOfZeroTurnsTheMetricsOff() {
        GroupLagGauges gauges = new GroupLagGauges(registry, leader::get, summaries, 0);
        gauges.refresh();
        assertThat(asked).isEmpty();
        assertThat(registry.scrape()).doesNotContain("dledger_group_lag_messages{");
    }

    @Test
    void aFailureToTakeTheValuesLeavesThePairsOutInsteadOfFailingTheScrape() {
        AtomicBoolean fail = new AtomicBoolean();
        GroupLagGauges gauges = new GroupLagGauges(registry, leader::get, max -> {
            if (fail.get()) {
                throw new IllegalStateException("store closed");
            }
            return summaries.apply(max);
        }, 1000);
        gauges.refresh();
        fail.set(true);
        gauges.refresh();
        assertThat(registry.scrape()).doesNotContain("dledger_group_lag_messages{");
    }
}
