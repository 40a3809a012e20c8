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
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The releases screen: what the draft would change, publishing it, rolling back, and the rollout that follows either.
 * Publishing needs a message and a non-empty diff; both publish and rollback are for operators only. While a rollout
 * runs, {@link #pollRollout()} (called periodically) follows the fleet until every agent has applied the release.
 *
 * <p>A publish sends the draft revision of the diff on screen: if anyone changed the draft since, the control plane
 * refuses it, the screen says so and shows the new diff. A publish that got no answer keeps its idempotency key, so
 * pressing Publish again asks whether it landed rather than publishing twice.
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
    /** The draft revision of the diff on screen: what a publish or rollback sends, so only what was seen ships. */
    private long reviewedRevision = -1;
    /** The Idempotency-Key of a publish that got no answer, reused when the same publish is pressed again. */
    private PendingPublish pending;

    private record PendingPublish(String key, long revision, String message) {
    }

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
            reviewedRevision = loaded.diff().draftRevision();
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
        long revision = reviewedRevision;
        if (revision < 0) {
            message.set("Wait for the draft to load: a publish ships the diff you see.");
            return;
        }
        // The same publish pressed again after no answer reuses its key: the control plane answers the release it made
        // instead of publishing twice.
        PendingPublish attempt = pending != null && pending.revision() == revision && pending.message().equals(msg)
                ? pending : new PendingPublish(UUID.randomUUID().toString(), revision, msg);
        pending = attempt;
        busy.set(true);
        message.set("");
        work.run(() -> session.client().publish(attempt.revision(), attempt.message(), attempt.key()), published -> {
            busy.set(false);
            pending = null;
            publishMessage.set("");
            startRollout(published.number());
        }, e -> {
            busy.set(false);
            if (e.problem() == ControlPlaneException.Problem.UNREACHABLE) {
                message.set("Not confirmed: " + e.operatorMessage() + ". Press Publish again to learn whether it was "
                        + "published: the same request is never published twice.");
                return;
            }
            pending = null;
            if (draftMoved(e)) {
                message.set("Not published: the draft changed since you reviewed it (" + e.getMessage()
                        + "). The diff now shows the current draft: review it and publish again.");
                refresh();
                return;
            }
            message.set("Not published: " + explain(e));
        });
    }

    /** A 409 because the draft moved since the diff on screen (the control plane's messages start so). */
    private static boolean draftMoved(ControlPlaneException e) {
        return e.problem() == ControlPlaneException.Problem.CONFLICT && e.getMessage() != null
                && (e.getMessage().startsWith("the draft moved") || e.getMessage().startsWith("the draft changed"));
    }

    /** Publishes {@code target}'s content again as a new release, and resets the draft to it. */
    public void rollback(ReleaseSummary target, String why) {
        if (!session.mayPublish() || busy.get() || target == null) {
            return;
        }
        Long revision = reviewedRevision < 0 ? null : reviewedRevision;
        String key = UUID.randomUUID().toString();
        busy.set(true);
        message.set("");
        work.run(() -> session.client().rollback(target.number(), why, revision, key), published -> {
            busy.set(false);
            startRollout(published.number());
            if (!published.discardedDraftChanges().isEmpty()) {
                message.set("Rolled back as release " + published.number() + "; unpublished draft changes discarded: "
                        + String.join(", ", published.discardedDraftChanges()));
            }
        }, e -> {
            busy.set(false);
            if (draftMoved(e)) {
                message.set("Not rolled back: the draft changed since you looked (" + e.getMessage()
                        + "). Rolling back would discard those changes: review the diff and roll back again.");
                refresh();
                return;
            }
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
