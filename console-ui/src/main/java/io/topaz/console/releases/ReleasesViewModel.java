package io.topaz.console.releases;

import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneException;
import io.topaz.console.controlplane.DraftChange;
import io.topaz.console.controlplane.DraftDiff;
import io.topaz.console.controlplane.FieldProblem;
import io.topaz.console.controlplane.ReleaseSummary;
import io.topaz.model.json.Json;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import tools.jackson.databind.SerializationFeature;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The releases screen: what the draft would change, publishing it, rolling back, and the rollout that follows either.
 * Publishing needs a message and a non-empty diff; both publish and rollback are for operators only. While a rollout
 * runs, {@link #pollRollout()} (called periodically) follows the fleet until every agent has applied the release.
 */
public final class ReleasesViewModel {

    private static final int HISTORY = 100;

    private final Session session;
    private final BackgroundWork work;
    private final Clock clock;
    private final ObservableList<DraftChange> changes = FXCollections.observableArrayList();
    private final ObservableList<ReleaseSummary> history = FXCollections.observableArrayList();
    private final ReadOnlyLongWrapper liveRelease = new ReadOnlyLongWrapper();
    private final ObjectProperty<DraftChange> selectedChange = new SimpleObjectProperty<>();
    private final ReadOnlyStringWrapper changeDetail = new ReadOnlyStringWrapper("");
    private final StringProperty publishMessage = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper diffSummary = new ReadOnlyStringWrapper("Loading the draft…");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyObjectWrapper<Rollout> rollout = new ReadOnlyObjectWrapper<>();
    private boolean rolloutPolling;

    public ReleasesViewModel(Session session, BackgroundWork work, Clock clock) {
        this.session = session;
        this.work = work;
        this.clock = clock;
        selectedChange.addListener((o, a, c) -> changeDetail.set(c == null ? "" : describe(c)));
    }

    public ObservableList<DraftChange> changes() {
        return changes;
    }

    /** Newest first. */
    public ObservableList<ReleaseSummary> history() {
        return history;
    }

    public ReadOnlyLongProperty liveReleaseProperty() {
        return liveRelease.getReadOnlyProperty();
    }

    public ObjectProperty<DraftChange> selectedChangeProperty() {
        return selectedChange;
    }

    /** The selected change's entry before and after, as JSON. */
    public ReadOnlyStringProperty changeDetailProperty() {
        return changeDetail.getReadOnlyProperty();
    }

    public StringProperty publishMessageProperty() {
        return publishMessage;
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** e.g. {@code 2 changes against live release 6} */
    public ReadOnlyStringProperty diffSummaryProperty() {
        return diffSummary.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** The last publish's or rollback's rollout, or null before the first. */
    public ReadOnlyObjectProperty<Rollout> rolloutProperty() {
        return rollout.getReadOnlyProperty();
    }

    public boolean mayPublish() {
        return session.mayPublish();
    }

    /** Publish is possible: an operator, something to publish, a message, nothing else in flight. */
    public BooleanBinding canPublish() {
        return Bindings.createBooleanBinding(() -> session.mayPublish() && !busy.get() && !changes.isEmpty()
                && publishMessage.get() != null && !publishMessage.get().isBlank(), busy, changes, publishMessage);
    }

    private record Loaded(DraftDiff diff, List<ReleaseSummary> history) {
    }

    public void refresh() {
        work.run(() -> new Loaded(session.client().diff(), session.client().releases(HISTORY)), loaded -> {
            DraftChange selected = selectedChange.get();
            changes.setAll(loaded.diff().changes());
            history.setAll(loaded.history());
            liveRelease.set(loaded.diff().baseRelease());
            if (selected != null && !changes.contains(selected)) {
                selectedChange.set(null);
            }
            int n = changes.size();
            diffSummary.set(n == 0
                    ? (liveRelease.get() == 0 ? "Nothing to publish: the draft is empty"
                    : "Nothing to publish: the draft equals live release " + liveRelease.get())
                    : n + (n == 1 ? " change" : " changes") + " against "
                    + (liveRelease.get() == 0 ? "an empty fleet (nothing published yet)" : "live release " + liveRelease.get()));
        }, e -> message.set("Cannot load the draft and releases: " + e.operatorMessage()));
    }

    public void publish() {
        String msg = publishMessage.get() == null ? "" : publishMessage.get().strip();
        if (!session.mayPublish() || busy.get()) {
            return;
        }
        if (msg.isEmpty()) {
            message.set("Write a message first: say what this release changes and why.");
            return;
        }
        busy.set(true);
        message.set("");
        work.run(() -> session.client().publish(msg), published -> {
            busy.set(false);
            publishMessage.set("");
            startRollout(published.number());
        }, e -> {
            busy.set(false);
            message.set("Not published: " + explain(e));
        });
    }

    /** Publishes {@code target}'s content again as a new release, and resets the draft to it. */
    public void rollback(ReleaseSummary target, String why) {
        if (!session.mayPublish() || busy.get() || target == null) {
            return;
        }
        busy.set(true);
        message.set("");
        work.run(() -> session.client().rollback(target.number(), why), published -> {
            busy.set(false);
            startRollout(published.number());
        }, e -> {
            busy.set(false);
            message.set("Not rolled back: " + explain(e));
        });
    }

    private void startRollout(long release) {
        rollout.set(new Rollout(release, clock));
        refresh();
        pollRollout();
    }

    /** Follows the running rollout one step; does nothing when none is running or a poll is in flight. */
    public void pollRollout() {
        Rollout r = rollout.get();
        if (r == null || r.isComplete() || rolloutPolling) {
            return;
        }
        rolloutPolling = true;
        work.run(() -> session.client().fleet(), fleet -> {
            rolloutPolling = false;
            r.update(fleet);
        }, e -> rolloutPolling = false);
    }

    public boolean isRolloutRunning() {
        return rollout.get() != null && !rollout.get().isComplete();
    }

    private static String explain(ControlPlaneException e) {
        if (e.problem() == ControlPlaneException.Problem.INVALID && !e.fieldProblems().isEmpty()) {
            return e.fieldProblems().stream().map(FieldProblem::message).collect(Collectors.joining("; "));
        }
        return e.operatorMessage();
    }

    static String describe(DraftChange c) {
        StringBuilder sb = new StringBuilder();
        sb.append(c.type()).append(' ').append(c.kind()).append(" '").append(c.key()).append("'\n\n");
        if (c.before() != null && c.after() != null) {
            java.util.Set<String> fields = new java.util.TreeSet<>(c.before().keySet());
            fields.addAll(c.after().keySet());
            for (String f : fields) {
                Object b = c.before().get(f);
                Object a = c.after().get(f);
                if (!java.util.Objects.equals(a, b)) {
                    sb.append("  ").append(f).append(": ").append(b).append(" → ").append(a).append('\n');
                }
            }
            sb.append('\n');
        }
        if (c.before() != null) {
            sb.append("Live:\n").append(pretty(c.before())).append("\n\n");
        }
        if (c.after() != null) {
            sb.append("Draft:\n").append(pretty(c.after())).append('\n');
        }
        return sb.toString();
    }

    static String pretty(Map<String, Object> value) {
        return Json.lenient().writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    }
}
