package io.topaz.console.fleet;

import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.AgentStatus;
import io.topaz.console.controlplane.AgentsTraffic;
import io.topaz.console.controlplane.Fleet;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.HashMap;
import java.util.Map;

/**
 * The fleet screen: the control plane's fleet view plus its latest poll of each agent's gateway calls, errors and
 * ZooKeeper link ({@code GET /api/v1/traffic/agents}), merged into rows that keep their identity while the agent stays
 * registered. Everything comes from the control plane: the console never reaches an agent's admin port. A refresh
 * that is still running when the next is due is not doubled.
 */
public final class FleetViewModel {

    private final Session session;
    private final BackgroundWork work;
    private final ObservableList<AgentRow> agents = FXCollections.observableArrayList();
    private final ReadOnlyLongWrapper liveRelease = new ReadOnlyLongWrapper();
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("Loading the fleet…");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(false);

    private record Snapshot(Fleet fleet, Map<String, AgentsTraffic.Agent> traffic) {
    }

    public FleetViewModel(Session session, BackgroundWork work) {
        this.session = session;
        this.work = work;
    }

    public ObservableList<AgentRow> agents() {
        return agents;
    }

    public ReadOnlyLongProperty liveReleaseProperty() {
        return liveRelease.getReadOnlyProperty();
    }

    /** e.g. {@code Live release 7 · 2 agents · 1 lagging} */
    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    public void refresh() {
        if (loading.get()) {
            return;
        }
        loading.set(true);
        work.run(() -> {
            Fleet fleet = session.client().fleet();
            Map<String, AgentsTraffic.Agent> traffic = new HashMap<>();
            for (AgentsTraffic.Agent a : session.client().agentsTraffic(TrafficSeries.POINTS).agents()) {
                traffic.put(a.agent(), a);
            }
            return new Snapshot(fleet, traffic);
        }, s -> {
            loading.set(false);
            message.set("");
            apply(s.fleet(), s.traffic());
        }, e -> {
            loading.set(false);
            message.set("Cannot load the fleet: " + e.operatorMessage());
        });
    }

    private void apply(Fleet fleet, Map<String, AgentsTraffic.Agent> traffic) {
        liveRelease.set(fleet.liveRelease());
        Map<String, AgentRow> existing = new HashMap<>();
        agents.forEach(r -> existing.put(r.id(), r));
        ObservableList<AgentRow> next = FXCollections.observableArrayList();
        for (AgentStatus a : fleet.items()) {
            AgentRow row = existing.computeIfAbsent(a.id(), AgentRow::new);
            row.update(a);
            // an agent registered since the control plane's last poll is not in it yet: health unknown, no points
            row.record(traffic.get(a.id()));
            next.add(row);
        }
        if (!next.equals(agents)) {
            agents.setAll(next);
        }
        summary.set((fleet.liveRelease() == 0 ? "Nothing published yet" : "Live release " + fleet.liveRelease())
                + " · " + plural(fleet.agents(), "agent") + " · "
                + (fleet.lagging() == 0 ? "none lagging" : fleet.lagging() + " lagging"));
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
