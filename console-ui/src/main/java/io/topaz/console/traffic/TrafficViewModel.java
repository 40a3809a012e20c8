package io.topaz.console.traffic;

import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneException;
import io.topaz.console.controlplane.TrafficHistory;
import io.topaz.console.controlplane.TrafficRates;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The traffic screen: the control plane's per-rule rates (it polls the agents; the console only asks it), and the
 * selected rule's recent history for a chart. A refresh loads the rates and, when a rule is selected, its history in
 * the same background call. A refresh asked for while one runs is not doubled: one more runs after it.
 */
public final class TrafficViewModel {

    /** How many of the control plane's polls the chart shows (120 × 5 s = ten minutes by default). */
    static final int CHART_POINTS = 120;

    private final Session session;
    private final BackgroundWork work;
    private final ObservableList<RuleRow> rules = FXCollections.observableArrayList();
    private final ObservableList<ChartPoint> chart = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<RuleRow> selected = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("Loading the traffic rates…");
    private final ReadOnlyStringWrapper chartTitle = new ReadOnlyStringWrapper("Select a rule to chart its rates");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(false);
    /** A refresh was asked for (e.g. a new rule selected) while one ran: run one more when it ends. */
    private boolean refreshAgain;

    private record Loaded(TrafficRates rates, String historyOf, TrafficHistory history) {
    }

    public TrafficViewModel(Session session, BackgroundWork work) {
        this.session = session;
        this.work = work;
    }

    /** One row per rule the agents report, sorted by kind then rule as the control plane sends them. */
    public ObservableList<RuleRow> rules() {
        return rules;
    }

    /** The selected rule's points, oldest first; empty when no rule is selected. */
    public ObservableList<ChartPoint> chart() {
        return chart;
    }

    public ReadOnlyObjectProperty<RuleRow> selectedProperty() {
        return selected.getReadOnlyProperty();
    }

    /** e.g. {@code 4 rules · 2 of 3 agents reporting · per second over the last 5 s} */
    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty chartTitleProperty() {
        return chartTitle.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    /** Charts {@code row} (null clears the chart) and loads its history. */
    public void select(RuleRow row) {
        if (row == selected.get()) {
            return;
        }
        selected.set(row);
        chart.clear();
        chartTitle.set(row == null ? "Select a rule to chart its rates"
                : "Passed and blocked per second · " + row.kind() + " rule " + row.rule());
        if (row != null) {
            refresh();
        }
    }

    public void refresh() {
        if (loading.get()) {
            refreshAgain = true;
            return;
        }
        loading.set(true);
        RuleRow charted = selected.get();
        work.run(() -> {
            TrafficRates rates = session.client().trafficRates();
            TrafficHistory history = null;
            if (charted != null && reports(rates, charted)) {
                try {
                    history = session.client().trafficHistory(charted.kind(), charted.rule(), CHART_POINTS);
                } catch (ControlPlaneException e) {
                    if (e.problem() != ControlPlaneException.Problem.NOT_FOUND) {
                        throw e;
                    }
                    // the rule dropped out between the two calls: the next refresh removes its row
                }
            }
            return new Loaded(rates, charted == null ? null : charted.key(), history);
        }, loaded -> {
            loading.set(false);
            message.set("");
            apply(loaded);
            refreshAgainIfAsked();
        }, e -> {
            loading.set(false);
            message.set("Cannot load the traffic rates: " + e.operatorMessage());
            refreshAgainIfAsked();
        });
    }

    private void refreshAgainIfAsked() {
        if (refreshAgain) {
            refreshAgain = false;
            refresh();
        }
    }

    private static boolean reports(TrafficRates rates, RuleRow row) {
        return rates.rules().stream().anyMatch(r -> r.kind().equals(row.kind()) && r.rule().equals(row.rule()));
    }

    private void apply(Loaded loaded) {
        TrafficRates rates = loaded.rates();
        Map<String, RuleRow> existing = new HashMap<>();
        rules.forEach(r -> existing.put(r.key(), r));
        List<RuleRow> next = new ArrayList<>();
        for (TrafficRates.Rule r : rates.rules()) {
            RuleRow row = existing.computeIfAbsent(RuleRow.key(r.kind(), r.rule()), k -> new RuleRow(r.kind(), r.rule()));
            row.update(r);
            next.add(row);
        }
        if (!next.equals(rules)) {
            rules.setAll(next);
        }
        RuleRow charted = selected.get();
        if (charted != null && !next.contains(charted)) {
            select(null);
        } else if (charted != null && charted.key().equals(loaded.historyOf()) && loaded.history() != null) {
            chart.setAll(points(loaded.history()));
        }
        summary.set(summary(rates));
    }

    private static List<ChartPoint> points(TrafficHistory history) {
        List<TrafficHistory.Point> points = history.points();
        if (points.isEmpty()) {
            return List.of();
        }
        Instant newest = Instant.parse(points.get(points.size() - 1).at());
        List<ChartPoint> out = new ArrayList<>(points.size());
        for (TrafficHistory.Point p : points) {
            double ago = -Duration.between(Instant.parse(p.at()), newest).toMillis() / 1000.0;
            out.add(new ChartPoint(ago, p.passedPerSecond(), p.blockedPerSecond()));
        }
        return out;
    }

    private static String summary(TrafficRates rates) {
        if (rates.at() == null) {
            return "The control plane has not polled the agents yet";
        }
        String s = plural(rates.rules().size(), "rule") + " · " + rates.agentsReporting() + " of "
                + plural(rates.agentsPolled(), "agent") + " reporting";
        if (rates.intervalSeconds() > 0) {
            double i = rates.intervalSeconds();
            s += String.format(Locale.ROOT, i < 10 ? " · per second over the last %.1f s" : " · per second over the last %.0f s", i);
        }
        return s;
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
