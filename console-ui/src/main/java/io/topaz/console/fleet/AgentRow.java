package io.topaz.console.fleet;

import io.topaz.console.controlplane.AgentStatus;
import io.topaz.console.controlplane.AgentsTraffic;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * One agent's row on the fleet screen. A row lives as long as the agent stays registered, so its traffic series keeps
 * its history across refreshes.
 */
public final class AgentRow {

    private final String id;
    private final ReadOnlyStringWrapper zone = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper cluster = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper address = new ReadOnlyStringWrapper();
    private final ReadOnlyLongWrapper appliedRelease = new ReadOnlyLongWrapper();
    private final ReadOnlyLongWrapper releasesBehind = new ReadOnlyLongWrapper();
    private final ReadOnlyBooleanWrapper lagging = new ReadOnlyBooleanWrapper();
    private final ReadOnlyObjectWrapper<AgentHealth> health = new ReadOnlyObjectWrapper<>(AgentHealth.UNKNOWN);
    private final ReadOnlyStringWrapper release = new ReadOnlyStringWrapper();
    private final TrafficSeries traffic = new TrafficSeries();

    AgentRow(String id) {
        this.id = id;
    }

    void update(AgentStatus status) {
        zone.set(status.zone());
        cluster.set(status.cluster());
        address.set(status.host() + (status.adminPort() > 0 ? ":" + status.adminPort() : ""));
        appliedRelease.set(status.appliedRelease());
        releasesBehind.set(status.releasesBehind());
        lagging.set(status.lagging());
        release.set(status.appliedRelease() == 0 ? "none yet"
                : status.lagging() ? status.appliedRelease() + "  (" + status.releasesBehind() + " behind)"
                : String.valueOf(status.appliedRelease()));
    }

    /** The control plane's latest poll of this agent, or null when it has not polled it yet. */
    void record(AgentsTraffic.Agent polled) {
        health.set(AgentHealth.of(polled));
        traffic.show(polled == null ? java.util.List.of() : polled.points());
    }

    public String id() {
        return id;
    }

    public ReadOnlyStringProperty zoneProperty() {
        return zone.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty clusterProperty() {
        return cluster.getReadOnlyProperty();
    }

    /** host:adminPort */
    public ReadOnlyStringProperty addressProperty() {
        return address.getReadOnlyProperty();
    }

    public ReadOnlyLongProperty appliedReleaseProperty() {
        return appliedRelease.getReadOnlyProperty();
    }

    public ReadOnlyLongProperty releasesBehindProperty() {
        return releasesBehind.getReadOnlyProperty();
    }

    /** The applied release as shown: {@code 7}, or {@code 5  (2 behind)} for a lagging agent. */
    public ReadOnlyStringProperty releaseProperty() {
        return release.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty laggingProperty() {
        return lagging.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<AgentHealth> healthProperty() {
        return health.getReadOnlyProperty();
    }

    public TrafficSeries traffic() {
        return traffic;
    }
}
