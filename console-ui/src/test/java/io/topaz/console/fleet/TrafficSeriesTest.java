package io.topaz.console.fleet;

import io.topaz.console.controlplane.AgentsTraffic;
import javafx.collections.ListChangeListener;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The series only shows the control plane's points (AgentCallRatesTest there checks the arithmetic). */
class TrafficSeriesTest {

    private static AgentsTraffic.Point point(double calls, double errors) {
        return new AgentsTraffic.Point("2026-11-24T08:00:00Z", calls, errors);
    }

    @Test
    void showsThePointsItIsGivenOldestFirstAndReplacesThemOnTheNextRefresh() {
        TrafficSeries s = new TrafficSeries();
        assertThat(s.latestCalls()).isZero();
        s.show(List.of(point(20, 1), point(0, 0), point(35, 2)));
        assertThat(s.calls()).containsExactly(20.0, 0.0, 35.0);
        assertThat(s.errors()).containsExactly(1.0, 0.0, 2.0);
        assertThat(s.latestCalls()).isEqualTo(35.0);
        assertThat(s.latestErrors()).isEqualTo(2.0);

        s.show(List.of(point(0, 0), point(35, 2), point(40, 0)));
        assertThat(s.calls()).containsExactly(0.0, 35.0, 40.0);
        s.show(List.of());
        assertThat(s.calls()).isEmpty();
        assertThat(s.latestCalls()).isZero();
    }

    @Test
    void keepsTheLastSixtyPointsAndAnUnchangedRefreshFiresNoChange() {
        TrafficSeries s = new TrafficSeries();
        List<AgentsTraffic.Point> points = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            points.add(point(i, 0));
        }
        s.show(points);
        assertThat(s.calls()).hasSize(TrafficSeries.POINTS).startsWith(40.0).endsWith(99.0);

        AtomicInteger changes = new AtomicInteger();
        s.calls().addListener((ListChangeListener<Double>) c -> changes.incrementAndGet());
        s.errors().addListener((ListChangeListener<Double>) c -> changes.incrementAndGet());
        s.show(points);
        assertThat(changes).hasValue(0);
    }
}
