package io.topaz.control.traffic;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TrafficAggregatorTest {

    private static final RuleKey ITEM_GET = new RuleKey("flow", "item.get");
    private static final RuleKey DAILY = new RuleKey("quota", "app-daily");
    private static final Instant T0 = Instant.parse("2026-11-24T08:00:00Z");

    private final TrafficAggregator aggregator = new TrafficAggregator(3);

    private static Map<String, AgentScrape> poll(Object... agentAndScrape) {
        Map<String, AgentScrape> m = new LinkedHashMap<>();
        for (int i = 0; i < agentAndScrape.length; i += 2) {
            m.put((String) agentAndScrape[i], (AgentScrape) agentAndScrape[i + 1]);
        }
        return m;
    }

    private static AgentScrape counts(long started, RuleKey key, double passed, double blocked) {
        return AgentScrape.answered(started, Map.of(key, new RuleCounters(passed, blocked, 0, false)));
    }

    private static RuleRate rate(TrafficSnapshot s, RuleKey key) {
        return s.rules().stream().filter(r -> r.kind().equals(key.kind()) && r.rule().equals(key.rule()))
                .findFirst().orElseThrow(() -> new AssertionError(key + " not in " + s.rules()));
    }

    @Test
    void theFirstPollSetsBaselinesThenRatesAreIncreasesOverSecondsSummedOverAgents() {
        TrafficSnapshot first = aggregator.record(T0, poll("a", counts(1, ITEM_GET, 100, 10), "b", counts(1, ITEM_GET, 40, 0)));
        assertThat(first.intervalSeconds()).isZero();
        assertThat(rate(first, ITEM_GET)).isEqualTo(new RuleRate("flow", "item.get", 0, 0, 0, 140, 10, 0));

        TrafficSnapshot second = aggregator.record(T0.plusSeconds(10),
                poll("a", counts(1, ITEM_GET, 160, 30), "b", counts(1, ITEM_GET, 50, 5)));
        assertThat(second.intervalSeconds()).isEqualTo(10.0);
        assertThat(second.agentsPolled()).isEqualTo(2);
        assertThat(second.agentsReporting()).isEqualTo(2);
        RuleRate r = rate(second, ITEM_GET);
        assertThat(r.passedPerSecond()).isCloseTo(7.0, within(1e-9));
        assertThat(r.blockedPerSecond()).isCloseTo(2.5, within(1e-9));
        assertThat(r.passedTotal()).isEqualTo(210.0);
        assertThat(r.blockedTotal()).isEqualTo(35.0);
    }

    @Test
    void aCounterThatWentDownOrANewStartTimeCountsFromZero() {
        aggregator.record(T0, poll("a", counts(1, ITEM_GET, 1000, 100)));
        // same registration, lower counter: the agent restarted between polls
        TrafficSnapshot dropped = aggregator.record(T0.plusSeconds(5), poll("a", counts(1, ITEM_GET, 50, 5)));
        assertThat(rate(dropped, ITEM_GET).passedPerSecond()).isCloseTo(10.0, within(1e-9));
        assertThat(rate(dropped, ITEM_GET).blockedPerSecond()).isCloseTo(1.0, within(1e-9));
        // a new start time with a counter already past the old one: still a restart, not 50 → 70
        TrafficSnapshot restarted = aggregator.record(T0.plusSeconds(10), poll("a", counts(2, ITEM_GET, 70, 5)));
        assertThat(rate(restarted, ITEM_GET).passedPerSecond()).isCloseTo(14.0, within(1e-9));
    }

    @Test
    void anAgentThatDidNotAnswerIsNotReportingAndItsNextAnswerIsMeasuredFromItsLast() {
        aggregator.record(T0, poll("a", counts(1, ITEM_GET, 100, 0), "b", counts(1, ITEM_GET, 100, 0)));
        TrafficSnapshot missed = aggregator.record(T0.plusSeconds(5),
                poll("a", counts(1, ITEM_GET, 150, 0), "b", AgentScrape.noAnswer(1)));
        assertThat(missed.agentsReporting()).isEqualTo(1);
        assertThat(missed.agentsNotReporting()).isEqualTo(1);
        assertThat(rate(missed, ITEM_GET).passedPerSecond()).isCloseTo(10.0, within(1e-9));
        assertThat(rate(missed, ITEM_GET).passedTotal()).isEqualTo(150.0);

        TrafficSnapshot back = aggregator.record(T0.plusSeconds(10),
                poll("a", counts(1, ITEM_GET, 200, 0), "b", counts(1, ITEM_GET, 200, 0)));
        // a: 50 in 5 s; b: 100 over the 10 s since its last answer
        assertThat(rate(back, ITEM_GET).passedPerSecond()).isCloseTo(10.0 + 10.0, within(1e-9));
    }

    @Test
    void anAgentThatLeftTheFleetDropsOutAndComesBackAsNew() {
        aggregator.record(T0, poll("a", counts(1, ITEM_GET, 100, 0), "b", counts(1, ITEM_GET, 900, 0)));
        TrafficSnapshot gone = aggregator.record(T0.plusSeconds(5), poll("a", counts(1, ITEM_GET, 150, 0)));
        assertThat(gone.agentsPolled()).isEqualTo(1);
        assertThat(rate(gone, ITEM_GET).passedTotal()).isEqualTo(150.0);
        TrafficSnapshot back = aggregator.record(T0.plusSeconds(10),
                poll("a", counts(1, ITEM_GET, 200, 0), "b", counts(1, ITEM_GET, 950, 0)));
        // b's first answer since it came back is only a baseline
        assertThat(rate(back, ITEM_GET).passedPerSecond()).isCloseTo(10.0, within(1e-9));
    }

    @Test
    void rulesAreSortedByKindThenRuleWithFallbackRatesAndAgentsInFallback() {
        RuleKey overload = new RuleKey("overload", "low");
        RuleKey other = new RuleKey("flow", "a.first");
        aggregator.record(T0, poll(
                "a", AgentScrape.answered(1, Map.of(DAILY, new RuleCounters(10, 0, 0, false),
                        ITEM_GET, new RuleCounters(1, 0, 0, false), overload, new RuleCounters(0, 3, 0, false))),
                "b", AgentScrape.answered(1, Map.of(DAILY, new RuleCounters(10, 0, 0, false), other, RuleCounters.ZERO))));
        TrafficSnapshot s = aggregator.record(T0.plusSeconds(2), poll(
                "a", AgentScrape.answered(1, Map.of(DAILY, new RuleCounters(20, 0, 8, true),
                        ITEM_GET, new RuleCounters(1, 0, 0, false), overload, new RuleCounters(0, 3, 0, false))),
                "b", AgentScrape.answered(1, Map.of(DAILY, new RuleCounters(14, 0, 4, true), other, RuleCounters.ZERO))));
        assertThat(s.rules()).extracting(r -> r.kind() + "/" + r.rule())
                .containsExactly("flow/a.first", "flow/item.get", "overload/low", "quota/app-daily");
        RuleRate daily = rate(s, DAILY);
        assertThat(daily.fallbackPerSecond()).isCloseTo(6.0, within(1e-9));
        assertThat(daily.agentsInFallback()).isEqualTo(2);
        assertThat(daily.passedPerSecond()).isCloseTo(7.0, within(1e-9));
    }

    @Test
    void historyKeepsTheLastPointsAndForgetsARuleNoAgentCountsAnyMore() {
        for (int i = 0; i <= 4; i++) {
            aggregator.record(T0.plusSeconds(i), poll("a", counts(1, ITEM_GET, 10 * i * i, 0)));
        }
        assertThat(aggregator.history(ITEM_GET, 10)).hasValueSatisfying(points -> {
            assertThat(points).extracting(RatePoint::at)
                    .containsExactly(T0.plusSeconds(2), T0.plusSeconds(3), T0.plusSeconds(4));
            assertThat(points).extracting(RatePoint::passedPerSecond).containsExactly(30.0, 50.0, 70.0);
        });
        assertThat(aggregator.history(ITEM_GET, 1)).hasValueSatisfying(p -> assertThat(p).hasSize(1));
        assertThat(new TrafficAggregator(5)).satisfies(fresh -> {
            fresh.record(T0, poll("a", counts(1, DAILY, 10, 0)));
            assertThat(fresh.history(DAILY, 5)).as("a first answer is a baseline, not a 0 point")
                    .hasValueSatisfying(p -> assertThat(p).isEmpty());
            fresh.record(T0.plusSeconds(1), poll("a", counts(1, DAILY, 20, 0)));
            assertThat(fresh.history(DAILY, 5)).hasValueSatisfying(p -> assertThat(p).hasSize(1));
        });
        assertThat(aggregator.history(DAILY, 10)).isEmpty();

        for (int i = 5; i <= 7; i++) {
            aggregator.record(T0.plusSeconds(i), poll("a", counts(1, DAILY, 0, 0)));
        }
        assertThat(aggregator.history(ITEM_GET, 10)).isEmpty();
        assertThat(aggregator.history(DAILY, 10)).isPresent();
    }
}
