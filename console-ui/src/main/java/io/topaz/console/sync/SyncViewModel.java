package io.topaz.console.sync;

import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.Role;
import io.topaz.console.controlplane.SyncStatus;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The Sync screen: the live release's sync targets, and per (target, seller group) what the control plane gathered
 * from the agents (holder, lag p50/p99, merge ratio, reads, writes, skipped, repairs by reason, backfill, last
 * reconciliation, errors); configured groups no agent reports are rows marked not running. Admins start a full
 * reconciliation of a running group. Calls run in the background; a refresh asked for while one runs is not doubled.
 */
public final class SyncViewModel {

    private final Session session;
    private final BackgroundWork work;
    private final ZoneId zone;
    private final ObservableList<SyncStatus.Target> targets = FXCollections.observableArrayList();
    private final ObservableList<SyncRow> groups = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("Loading the order sync…");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper warning = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private boolean loading;
    private boolean refreshAgain;
    private boolean replacing;

    public SyncViewModel(Session session, BackgroundWork work, ZoneId zone) {
        this.session = session;
        this.work = work;
        this.zone = zone;
    }

    /** The live release's sync targets, by name. */
    public ObservableList<SyncStatus.Target> targets() {
        return targets;
    }

    /** One row per (target, seller group), by target then group. */
    public ObservableList<SyncRow> groups() {
        return groups;
    }

    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    /** Why the last call failed; empty when it did not. */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** Which agents did not answer; empty when all did. */
    public ReadOnlyStringProperty warningProperty() {
        return warning.getReadOnlyProperty();
    }

    /** What the last reconciliation request did. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** True while a refresh replaces the rows (the table's selection changes then, not the operator's choice). */
    public boolean replacing() {
        return replacing;
    }

    /** A full reconciliation is for admins. */
    public boolean mayReconcile() {
        return session.operator().role().includes(Role.ADMIN);
    }

    public void refresh() {
        if (loading) {
            refreshAgain = true;
            return;
        }
        loading = true;
        work.run(() -> session.client().syncStatus(), s -> {
            loading = false;
            message.set("");
            apply(s);
            again();
        }, e -> {
            loading = false;
            message.set("Cannot load the order sync: " + e.operatorMessage());
            again();
        });
    }

    private void again() {
        if (refreshAgain) {
            refreshAgain = false;
            refresh();
        }
    }

    /** Starts a full reconciliation of the row's group on the agent syncing it. */
    public void reconcile(SyncRow row) {
        if (row == null || !row.running() || busy.get()) {
            return;
        }
        busy.set(true);
        status.set("");
        work.run(() -> session.client().reconcile(row.target(), row.group()), r -> {
            busy.set(false);
            message.set("");
            status.set("Full reconciliation of " + row.group() + " (" + row.target() + ") started on " + r.agentId()
                    + ". Its repairs show in the table as it runs.");
            refresh();
        }, e -> {
            busy.set(false);
            message.set("Cannot reconcile " + row.group() + " (" + row.target() + "): " + e.operatorMessage());
        });
    }

    private void apply(SyncStatus s) {
        List<SyncStatus.Target> t = s.targets().stream().sorted(Comparator.comparing(SyncStatus.Target::name)).toList();
        if (!t.equals(targets)) {
            targets.setAll(t);
        }
        List<SyncRow> rows = new ArrayList<>();
        s.groups().forEach(g -> rows.add(SyncRow.of(g, zone)));
        s.notRunning().forEach(n -> rows.add(SyncRow.notRunning(n)));
        rows.sort(Comparator.comparing(SyncRow::target).thenComparing(SyncRow::group));
        if (!rows.equals(groups)) {
            replacing = true;
            try {
                groups.setAll(rows);
            } finally {
                replacing = false;
            }
        }
        warning.set(s.unreachable().isEmpty() ? "" : String.join(", ", s.unreachable())
                + (s.unreachable().size() == 1 ? " does" : " do") + " not answer: the groups "
                + (s.unreachable().size() == 1 ? "it syncs" : "they sync") + " may be missing or shown as not running.");
        summary.set(plural(s.targets().size(), "sync target") + " · " + s.groups().size() + " of "
                + plural(s.groups().size() + s.notRunning().size(), "group") + " running · release " + s.release());
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
