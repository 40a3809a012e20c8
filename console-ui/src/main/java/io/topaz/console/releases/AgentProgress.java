package io.topaz.console.releases;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;

/** One agent's progress towards a rollout's release. */
public final class AgentProgress {

    private final String agentId;
    private final ReadOnlyLongWrapper appliedRelease = new ReadOnlyLongWrapper();
    private final ReadOnlyBooleanWrapper done = new ReadOnlyBooleanWrapper();

    AgentProgress(String agentId) {
        this.agentId = agentId;
    }

    void update(long applied, long target) {
        appliedRelease.set(applied);
        done.set(applied >= target);
    }

    public String agentId() {
        return agentId;
    }

    public ReadOnlyLongProperty appliedReleaseProperty() {
        return appliedRelease.getReadOnlyProperty();
    }

    /** True once the agent serves the rollout's release (or a newer one). */
    public ReadOnlyBooleanProperty doneProperty() {
        return done.getReadOnlyProperty();
    }
}
