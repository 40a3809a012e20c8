package io.topaz.console.traffic;

import io.topaz.console.controlplane.TrafficRates;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;

/**
 * One rule in the traffic table. A row keeps its identity while the rule is reported, and its numbers change in place,
 * so the table's selection (and with it the chart) survives each refresh.
 */
public final class RuleRow {

    private final String kind;
    private final String rule;
    private final ReadOnlyDoubleWrapper passedPerSecond = new ReadOnlyDoubleWrapper();
    private final ReadOnlyDoubleWrapper blockedPerSecond = new ReadOnlyDoubleWrapper();
    private final ReadOnlyDoubleWrapper fallbackPerSecond = new ReadOnlyDoubleWrapper();
    private final ReadOnlyDoubleWrapper passedTotal = new ReadOnlyDoubleWrapper();
    private final ReadOnlyDoubleWrapper blockedTotal = new ReadOnlyDoubleWrapper();
    private final ReadOnlyIntegerWrapper agentsInFallback = new ReadOnlyIntegerWrapper();

    RuleRow(String kind, String rule) {
        this.kind = kind;
        this.rule = rule;
    }

    static String key(String kind, String rule) {
        return kind + "/" + rule;
    }

    String key() {
        return key(kind, rule);
    }

    void update(TrafficRates.Rule r) {
        passedPerSecond.set(r.passedPerSecond());
        blockedPerSecond.set(r.blockedPerSecond());
        fallbackPerSecond.set(r.fallbackPerSecond());
        passedTotal.set(r.passedTotal());
        blockedTotal.set(r.blockedTotal());
        agentsInFallback.set(r.agentsInFallback());
    }

    /** {@code flow}, {@code quota} or {@code overload}. */
    public String kind() {
        return kind;
    }

    /** The rule's id; for overload, the priority tier. */
    public String rule() {
        return rule;
    }

    public ReadOnlyDoubleProperty passedPerSecondProperty() {
        return passedPerSecond.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty blockedPerSecondProperty() {
        return blockedPerSecond.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty fallbackPerSecondProperty() {
        return fallbackPerSecond.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty passedTotalProperty() {
        return passedTotal.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty blockedTotalProperty() {
        return blockedTotal.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty agentsInFallbackProperty() {
        return agentsInFallback.getReadOnlyProperty();
    }

    @Override
    public String toString() {
        return key();
    }
}
