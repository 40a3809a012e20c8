package io.topaz.console.fleet;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

class TrafficSeriesTest {

    private static final Instant T0 = Instant.parse("2026-11-24T08:00:00Z");

    private static AgentSample sample(int seconds, Double requests, Double errors) {
        return new AgentSample(T0.plusSeconds(seconds), true, true,
                requests == null ? OptionalDouble.empty() : OptionalDouble.of(requests),
                errors == null ? OptionalDouble.empty() : OptionalDouble.of(errors));
    }

    @Test
    void ratesAreCounterDeltasOverTheTimeBetweenScrapes() {
        TrafficSeries s = new TrafficSeries();
        s.record(sample(0, 100.0, 10.0));
        s.record(sample(2, 140.0, 12.0));
        s.record(sample(4, 140.0, 12.0));
        assertThat(s.calls()).containsExactly(0.0, 20.0, 0.0);
        assertThat(s.errors()).containsExactly(0.0, 1.0, 0.0);
        assertThat(s.latestCalls()).isZero();
    }

    @Test
    void absentCountersAndMissedScrapesAreFlatAndARestartStartsANewBaseline() {
        TrafficSeries s = new TrafficSeries();
        s.record(sample(0, null, null));
        s.record(sample(2, null, null));
        s.record(sample(4, 50.0, null));
        s.record(AgentSample.noAnswer(T0.plusSeconds(6)));
        s.record(sample(8, 70.0, null));   // 20 calls over the 4 s since the last answer
        s.record(sample(10, 5.0, null));   // counter went down: the agent restarted
        s.record(sample(12, 25.0, null));
        assertThat(s.calls()).containsExactly(0.0, 0.0, 0.0, 0.0, 5.0, 0.0, 10.0);
        assertThat(s.errors()).containsOnly(0.0);
    }

    @Test
    void keepsTheLastSixtyPoints() {
        TrafficSeries s = new TrafficSeries();
        for (int i = 0; i < 100; i++) {
            s.record(sample(i, (double) i * i, 0.0));
        }
        assertThat(s.calls()).hasSize(TrafficSeries.POINTS);
        assertThat(s.latestCalls()).isEqualTo(99.0 * 99 - 98.0 * 98);
    }
}
