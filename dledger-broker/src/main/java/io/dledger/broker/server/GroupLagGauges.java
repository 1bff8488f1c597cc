package io.dledger.broker.server;

import io.dledger.proto.GroupSummary;
import io.dledger.proto.ListGroupsResponse;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer groups as metrics, exported by the leader, per (group, topic) pair that has committed offsets or live
 * members: {@code dledger.group.lag} (messages the group has yet to consume of what the topic's queues hold, the
 * {@code LAG} of {@code group list}) and {@code dledger.group.members} (live members). At most {@code max} pairs,
 * the first in name order; {@code dledger.group.lag.capped} is 1 when more were left out.
 *
 * <p>The values are taken again before every scrape ({@link #refresh()}), so a scrape costs what a
 * {@code group list} of {@code max} pairs costs. A pair's series stays registered from one refresh to the next (only
 * its value changes), so a scrape that runs beside a refresh sees every pair that was there before it. A follower
 * exports no pairs; a node that stopped leading drops its series at its next scrape, so two nodes may show a pair for
 * a scrape interval after a leader change. With {@code max} 0 nothing is computed. Thread-safe.
 */
final class GroupLagGauges {
    private static final Logger LOG = LoggerFactory.getLogger(GroupLagGauges.class);

    private final BooleanSupplier leader;
    private final IntFunction<ListGroupsResponse> summaries;
    private final int max;
    private final MultiGauge lag;
    private final MultiGauge members;
    private final Map<Tags, AtomicLong> lags = new HashMap<>(); // holders of lag's series; guarded by this
    private final Map<Tags, AtomicLong> memberCounts = new HashMap<>(); // holders of members' series; guarded by this
    private volatile boolean capped;

    /**
     * @param leader    whether this node leads now
     * @param summaries the summaries of at most the given number of pairs, in name order, truncated flag set when
     *                  there were more ({@code ConsumerServiceImpl.summaries})
     * @param max       most pairs exported ({@code metrics.group.lag.max}); 0: none
     */
    GroupLagGauges(MeterRegistry registry, BooleanSupplier leader, IntFunction<ListGroupsResponse> summaries,
                   int max) {
        this.leader = leader;
        this.summaries = summaries;
        this.max = max;
        this.lag = MultiGauge.builder("dledger.group.lag").baseUnit("messages")
                .description("on the leader: messages a consumer group has yet to consume of what the topic holds")
                .register(registry);
        this.members = MultiGauge.builder("dledger.group.members")
                .description("on the leader: live members of a consumer group on the topic").register(registry);
        Gauge.builder("dledger.group.lag.capped", this, g -> g.capped ? 1 : 0)
                .description("1 when metrics.group.lag.max left (group, topic) pairs out of dledger.group.lag")
                .register(registry);
    }

    /** Takes the pairs and their values again: this node's, if it leads; none otherwise. */
    synchronized void refresh() {
        List<GroupSummary> pairs = List.of();
        boolean cut = false;
        if (max > 0 && leader.getAsBoolean()) {
            try {
                ListGroupsResponse r = summaries.apply(max);
                pairs = r.getGroupsList();
                cut = r.getTruncated();
            } catch (RuntimeException e) { // a scrape must not fail for it: the pairs are left out this time
                LOG.warn("cannot take the consumer groups' lag for /metrics: {}", e.toString());
            }
        }
        update(lag, lags, pairs, GroupSummary::getTotalLag);
        update(members, memberCounts, pairs, GroupSummary::getLiveMembers);
        capped = cut;
    }

    /** Sets each pair's holder to its value, registers the pairs new to {@code gauge}, drops those gone. */
    private static void update(MultiGauge gauge, Map<Tags, AtomicLong> holders, List<GroupSummary> pairs,
                               ToLongFunction<GroupSummary> value) {
        Set<Tags> now = new HashSet<>();
        for (GroupSummary s : pairs) {
            Tags tags = Tags.of("group", s.getGroup(), "topic", s.getTopic());
            holders.computeIfAbsent(tags, t -> new AtomicLong()).set(value.applyAsLong(s));
            now.add(tags);
        }
        holders.keySet().retainAll(now);
        gauge.register(holders.entrySet().stream()
                .map(e -> MultiGauge.Row.of(e.getKey(), e.getValue(), AtomicLong::doubleValue)).toList(), false);
    }
}
