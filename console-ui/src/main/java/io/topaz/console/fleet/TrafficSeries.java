package io.topaz.console.fleet;

import io.topaz.console.controlplane.AgentsTraffic;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.ArrayList;
import java.util.List;

/**
 * One agent's gateway calls and errors per second over the control plane's last {@value #POINTS} polls of it, oldest
 * first. The control plane measures them (from the agent's monotonic counters, restart-safe); this only shows the
 * points it is given, so a refresh replaces the series rather than appending to it.
 */
public final class TrafficSeries {

    static final int POINTS = 60;

    private final ObservableList<Double> calls = FXCollections.observableArrayList();
    private final ObservableList<Double> errors = FXCollections.observableArrayList();

    public ObservableList<Double> calls() {
        return calls;
    }

    public ObservableList<Double> errors() {
        return errors;
    }

    /** Shows these points (at most the last {@value #POINTS}); unchanged lists fire no change. */
    void show(List<AgentsTraffic.Point> points) {
        List<AgentsTraffic.Point> last = points.subList(Math.max(0, points.size() - POINTS), points.size());
        List<Double> nextCalls = new ArrayList<>(last.size());
        List<Double> nextErrors = new ArrayList<>(last.size());
        for (AgentsTraffic.Point p : last) {
            nextCalls.add(p.requestsPerSecond());
            nextErrors.add(p.errorsPerSecond());
        }
        // errors first: views redraw on a change of calls and read both
        if (!nextErrors.equals(errors)) {
            errors.setAll(nextErrors);
        }
        if (!nextCalls.equals(calls)) {
            calls.setAll(nextCalls);
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
