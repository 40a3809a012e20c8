package io.topaz.control.traffic;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AgentCallRatesTest {

    private static final Instant T0 = Instant.parse("2026-11-24T08:00:00Z");

    private final AgentCallRates rates = new AgentCallRates(3);

    private static AgentScrape gateway(long started, double requests, double errors, boolean zk) {
        return AgentScrape.answered(started, Map.of(), new GatewayCounters(requests, errors, zk));
    }

    private static Map<String, AgentScrape> poll(Object... agentAndScrape) {
        Map<String, AgentScrape> m = new LinkedHashMap<>();
        for (int i = 0; i < agentAndScrape.length; i += 2) {
            m.put((String) agentAndScrape[i], (AgentScrape) agentAndScrape[i + 1]);
        }
        return m;
    }

    private AgentTraffic agent(String id) {
        return rates.fleet(100).agents().stream().filter(a -> a.agent().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(id + " not in " + rates.fleet(100)));
    }

    @Test
    void eachAgentsRatesAreItsOwnIncreasesOverTheSecondsBetweenItsAnswers() {
        rates.record(T0, poll("a", gateway(1, 100, 10, true), "b", gateway(1, 7, 0, true)));
        assertThat(agent("a").points()).isEmpty();
        assertThat(agent("a").requestsTotal()).isEqualTo(100.0);
        assertThat(agent("a").requestsPerSecond()).isZero();

        rates.record(T0.plusSeconds(5), poll("a", gateway(1, 160, 20, true), "b", gateway(1, 7, 0, false)));
        AgentTraffic a = agent("a");
        assertThat(a.reporting()).isTrue();
        assertThat(a.requestsPerSecond()).isCloseTo(12.0, within(1e-9));
        assertThat(a.errorsPerSecond()).isCloseTo(2.0, within(1e-9));
        assertThat(a.points()).containsExactly(new AgentRatePoint(T0.plusSeconds(5), 12.0, 2.0));
        AgentTraffic b = agent("b");
        assertThat(b.requestsPerSecond()).isZero();
        assertThat(b.zookeeperConnected()).isFalse();
        assertThat(rates.fleet(100).agents()).extracting(AgentTraffic::agent).containsExactly("a", "b");
        assertThat(rates.fleet(100).at()).isEqualTo(T0.plusSeconds(5));
    }

    @Test
    void aMissedPollAddsNoPointAndTheNextAnswerIsMeasuredFromTheLastOne() {
        rates.record(T0, poll("a", gateway(1, 100, 0, true)));
        rates.record(T0.plusSeconds(5), poll("a", gateway(1, 160, 0, true)));
        rates.record(T0.plusSeconds(10), poll("a", AgentScrape.noAnswer(1)));
        AgentTraffic silent = agent("a");
        assertThat(silent.reporting()).isFalse();
        assertThat(silent.points()).hasSize(1);
        assertThat(silent.zookeeperConnected()).as("as of its last answer").isTrue();

        rates.record(T0.plusSeconds(15), poll("a", gateway(1, 190, 0, true)));
        assertThat(agent("a").points()).extracting(AgentRatePoint::requestsPerSecond).containsExactly(12.0, 3.0);
    }

    @Test
    void aRestartCountsFromZeroAndAnUnregisteredAgentIsForgotten() {
        rates.record(T0, poll("a", gateway(1, 5000, 50, true)));
        // counter went down under the same start time
        rates.record(T0.plusSeconds(10), poll("a", gateway(1, 40, 0, true)));
        assertThat(agent("a").requestsPerSecond()).isCloseTo(4.0, within(1e-9));
        // a new start time: its counters began again even though this one is higher than before
        rates.record(T0.plusSeconds(20), poll("a", gateway(2, 100, 10, true)));
        assertThat(agent("a").requestsPerSecond()).isCloseTo(10.0, within(1e-9));
        assertThat(agent("a").errorsPerSecond()).isCloseTo(1.0, within(1e-9));

        rates.record(T0.plusSeconds(25), poll("b", gateway(1, 1, 0, true)));
        assertThat(rates.fleet(100).agents()).extracting(AgentTraffic::agent).containsExactly("b");
    }

    @Test
    void historyKeepsTheLastPointsAndALimitCutsFromTheOldEnd() {
        for (int i = 0; i <= 5; i++) {
            rates.record(T0.plusSeconds(i), poll("a", gateway(1, i * i, 0, true)));
        }
        assertThat(agent("a").points()).extracting(AgentRatePoint::requestsPerSecond).containsExactly(5.0, 7.0, 9.0);
        assertThat(rates.fleet(1).agents().get(0).points()).extracting(AgentRatePoint::requestsPerSecond)
                .containsExactly(9.0);
    }

    @Test
    void anAgentThatNeverAnsweredIsListedAsNotReporting() {
        rates.record(T0, poll("a", AgentScrape.noAnswer(1)));
        assertThat(agent("a")).isEqualTo(new AgentTraffic("a", false, false, 0, 0, 0, 0, java.util.List.of()));
    }
}
