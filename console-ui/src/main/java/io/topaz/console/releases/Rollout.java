package io.topaz.console.releases;

import io.topaz.console.controlplane.AgentStatus;
import io.topaz.console.controlplane.Fleet;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A release on its way to the agents: after a publish or rollback, each live agent's applied release, until every one
 * has applied it. An agent that leaves the fleet meanwhile drops out; one that joins is added.
 */
public final class Rollout {

    private final long release;
    private final Clock clock;
    private final Instant startedAt;
    private final ObservableList<AgentProgress> agents = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper complete = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper();

    Rollout(long release, Clock clock) {
        this.release = release;
        this.clock = clock;
        this.startedAt = clock.instant();
        summary.set("Release " + release + " published; waiting for the fleet…");
    }

    public long release() {
        return release;
    }

    public ObservableList<AgentProgress> agents() {
        return agents;
    }

    public ReadOnlyBooleanProperty completeProperty() {
        return complete.getReadOnlyProperty();
    }

    public boolean isComplete() {
        return complete.get();
    }

    /** From 0 to 1: the share of live agents that applied the release. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** e.g. {@code Release 7: 1 of 2 agents applied it (0.4 s)} */
    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    void update(Fleet fleet) {
        Map<String, AgentProgress> existing = new HashMap<>();
        agents.forEach(a -> existing.put(a.agentId(), a));
        ObservableList<AgentProgress> next = FXCollections.observableArrayList();
        for (AgentStatus a : fleet.items()) {
            AgentProgress p = existing.computeIfAbsent(a.id(), AgentProgress::new);
            p.update(a.appliedRelease(), release);
            next.add(p);
        }
        if (!next.equals(agents)) {
            agents.setAll(next);
        }
        long done = agents.stream().filter(a -> a.doneProperty().get()).count();
        int total = agents.size();
        progress.set(total == 0 ? 1 : (double) done / total);
        Duration took = Duration.between(startedAt, clock.instant());
        String elapsed = String.format(java.util.Locale.ROOT, "%.1f s", took.toMillis() / 1000.0);
        if (total == 0) {
            summary.set("Release " + release + " is live; no agent is running to apply it");
            complete.set(true);
        } else if (done == total) {
            summary.set("Release " + release + ": all " + total + " agents applied it (within " + elapsed + ")");
            complete.set(true);
        } else {
            summary.set("Release " + release + ": " + done + " of " + total + " agents applied it (" + elapsed + ")");
        }
    }
}
