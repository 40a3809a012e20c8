package io.topaz.console.common;

import io.topaz.console.controlplane.ControlPlaneException;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Whether the control plane answers, for the banner at the top of the window. Every control-plane call reports here
 * (through {@link BackgroundWork}). The fleet is polled every few seconds whatever screen is shown, so while the control
 * plane is lost it is asked again and again; the first answer clears the banner and tells the screens to reload.
 * Mutated on the UI thread only.
 */
public final class ConnectionStatus {

    private final ReadOnlyBooleanWrapper lost = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final List<Runnable> onRecovered = new CopyOnWriteArrayList<>();

    public ReadOnlyBooleanProperty lostProperty() {
        return lost.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public boolean isLost() {
        return lost.get();
    }

    /** Runs (on the UI thread) each time the control plane answers again after being lost. */
    public void addRecoveryListener(Runnable listener) {
        onRecovered.add(listener);
    }

    void answered() {
        if (lost.get()) {
            lost.set(false);
            message.set("");
            onRecovered.forEach(Runnable::run);
        }
    }

    void failed(ControlPlaneException e) {
        if (e.problem() == ControlPlaneException.Problem.UNREACHABLE) {
            message.set("Lost the control plane: " + e.getMessage() + ". Retrying every few seconds; "
                    + "your unsaved edits stay as they are.");
            lost.set(true);
        }
    }
}
