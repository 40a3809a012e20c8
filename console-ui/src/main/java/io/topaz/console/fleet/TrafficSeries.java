package io.topaz.console.fleet;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;

/**
 * One agent's calls and errors per second over its last {@value #POINTS} scrapes, from the gateway's monotonic
 * counters: each point is (this total − previous total) / seconds between the scrapes. A counter that went down (the
 * agent restarted) starts a new baseline; a missing counter (no gateway yet) or a missed scrape is a 0 point, so the
 * line stays flat rather than breaking.
 */
public final class TrafficSeries {

    static final int POINTS = 60;

    private final ObservableList<Double> calls = FXCollections.observableArrayList();
    private final ObservableList<Double> errors = FXCollections.observableArrayList();
    private Instant lastAt;
    private OptionalDouble lastRequests = OptionalDouble.empty();
    private OptionalDouble lastErrors = OptionalDouble.empty();

    public ObservableList<Double> calls() {
        return calls;
    }

    public ObservableList<Double> errors() {
        return errors;
    }

    void record(AgentSample sample) {
        double seconds = lastAt == null ? 0 : Duration.between(lastAt, sample.at()).toMillis() / 1000.0;
        append(calls, rate(lastRequests, sample.requestsTotal(), seconds));
        append(errors, rate(lastErrors, sample.errorsTotal(), seconds));
        if (sample.answered()) {
            lastAt = sample.at();
            lastRequests = sample.requestsTotal();
            lastErrors = sample.errorsTotal();
        }
    }

    private static double rate(OptionalDouble before, OptionalDouble now, double seconds) {
        if (before.isEmpty() || now.isEmpty() || seconds <= 0) {
            return 0;
        }
        double delta = now.getAsDouble() - before.getAsDouble();
        return delta < 0 ? 0 : delta / seconds;
    }

    private static void append(ObservableList<Double> series, double value) {
        series.add(value);
        if (series.size() > POINTS) {
            series.remove(0, series.size() - POINTS);
        }
    }

    /** The latest calls-per-second point, 0 before the first. */
    public double latestCalls() {
        return calls.isEmpty() ? 0 : calls.get(calls.size() - 1);
    }

    public double latestErrors() {
        return errors.isEmpty() ? 0 : errors.get(errors.size() - 1);
    }
}
