package io.topaz.console.messages;

import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.Session;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.ZoneId;
import java.util.List;

/**
 * The Messages screen's push connections: every broker agent's WebSocket consumers (app, group, agent, client address,
 * since when, in flight, pushed, confirmed), and for admins a Disconnect of one: the agent closes it and its
 * unconfirmed messages are delivered again. A refresh asked for while one runs is not doubled.
 */
public final class ConnectionsViewModel {

    private final Session session;
    private final BackgroundWork work;
    private final ZoneId zone;
    private final ObservableList<ConnectionRow> rows = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper("Push connections");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private boolean loading;
    private boolean again;

    ConnectionsViewModel(Session session, BackgroundWork work, ZoneId zone) {
        this.session = session;
        this.work = work;
        this.zone = zone;
    }

    /** By app, group, agent. */
    public ObservableList<ConnectionRow> rows() {
        return rows;
    }

    /** e.g. {@code Push connections · 3 (agent-2 does not answer)}. */
    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    /** What the last disconnect did. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** Why the last call failed; empty when it did not. */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** A disconnect is running. */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** Disconnecting is for admins; the others only look. */
    public boolean mayDisconnect() {
        return session.mayDisconnect();
    }

    public void refresh() {
        if (loading) {
            again = true;
            return;
        }
        loading = true;
        work.run(() -> session.client().pushConnections(), c -> {
            loading = false;
            message.set("");
            List<ConnectionRow> next = c.connections().stream().map(x -> ConnectionRow.of(x, zone)).toList();
            if (!next.equals(rows)) {
                rows.setAll(next);
            }
            title.set("Push connections · " + next.size() + (c.unreachable().isEmpty() ? ""
                    : " (" + String.join(", ", c.unreachable()) + (c.unreachable().size() == 1 ? " does" : " do")
                    + " not answer)"));
            refreshAgainIfAsked();
        }, e -> {
            loading = false;
            message.set("Cannot load the push connections: " + e.operatorMessage());
            refreshAgainIfAsked();
        });
    }

    private void refreshAgainIfAsked() {
        if (again) {
            again = false;
            refresh();
        }
    }

    /** Asks the connection's agent to close it, then reloads the list. */
    public void disconnect(ConnectionRow row) {
        if (row == null || busy.get()) {
            return;
        }
        busy.set(true);
        status.set("");
        work.run(() -> session.client().disconnect(row.agentId(), row.id()), d -> {
            busy.set(false);
            message.set("");
            status.set(d.disconnected()
                    ? "Disconnected " + row.app() + " (" + row.group() + ") on " + row.agentId()
                    + ": its unconfirmed messages will be delivered again."
                    : "Connection " + row.key() + " was already closed.");
            refresh();
        }, e -> {
            busy.set(false);
            message.set("Cannot disconnect " + row.key() + ": " + e.operatorMessage());
        });
    }
}
