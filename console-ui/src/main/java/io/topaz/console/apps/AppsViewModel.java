package io.topaz.console.apps;

import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.AppRecord;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.ControlPlaneException;
import io.topaz.console.controlplane.FieldProblem;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.ObservableMap;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The Apps screen: a page of apps searched on the control plane (key, name, owner) and filtered by status; for
 * admins, creating apps, disabling and enabling them, rotating and retiring secrets. A secret the control plane
 * returns is held in {@link #oneTimeSecretProperty()} only until the operator has seen it ({@link #secretSeen()}),
 * never in the table or anywhere else.
 */
public final class AppsViewModel {

    public static final int PAGE_SIZE = 50;
    public static final List<String> STATUSES = List.of("", "ACTIVE", "DISABLED");

    private final Session session;
    private final BackgroundWork work;
    private final ObservableList<AppRecord> apps = FXCollections.observableArrayList();
    private final StringProperty search = new SimpleStringProperty("");
    private final StringProperty status = new SimpleStringProperty("");
    private final IntegerProperty page = new SimpleIntegerProperty(0);
    private final LongProperty total = new SimpleLongProperty(0);
    private final StringProperty message = new SimpleStringProperty("");
    private final StringProperty notice = new SimpleStringProperty("");
    private final BooleanProperty busy = new SimpleBooleanProperty(false);
    private final ReadOnlyStringWrapper oneTimeSecret = new ReadOnlyStringWrapper(null);
    private final StringProperty secretFor = new SimpleStringProperty("");
    // the create form
    private final StringProperty newKey = new SimpleStringProperty("");
    private final StringProperty newName = new SimpleStringProperty("");
    private final StringProperty newOwner = new SimpleStringProperty("");
    private final StringProperty newGroups = new SimpleStringProperty("");
    private final ObservableMap<String, String> fieldErrors = FXCollections.observableHashMap();

    public AppsViewModel(Session session, BackgroundWork work) {
        this.session = session;
        this.work = work;
    }

    /** Admins manage apps; everyone else only reads. */
    public boolean mayManage() {
        return session.mayEdit("apps");
    }

    public void refresh() {
        ControlPlaneClient client = session.client();
        String q = search.get();
        String st = status.get();
        int p = page.get();
        call(() -> client.apps(q, st, p, PAGE_SIZE), result -> {
            apps.setAll(result.items());
            total.set(result.total());
        });
    }

    public void searchNow() {
        message.set("");
        notice.set("");
        page.set(0);
        refresh();
    }

    public void nextPage() {
        if ((long) (page.get() + 1) * PAGE_SIZE < total.get()) {
            page.set(page.get() + 1);
            refresh();
        }
    }

    public void previousPage() {
        if (page.get() > 0) {
            page.set(page.get() - 1);
            refresh();
        }
    }

    /** Creates the app described by the form; on success its secret waits in {@link #oneTimeSecretProperty()}. */
    public void create() {
        fieldErrors.clear();
        message.set("");
        notice.set("");
        Map<String, Object> body = new LinkedHashMap<>();
        if (!newKey.get().isBlank()) {
            body.put("appKey", newKey.get().trim());
        }
        body.put("name", newName.get());
        body.put("owner", newOwner.get());
        body.put("allowedApiGroups", groups(newGroups.get()));
        ControlPlaneClient client = session.client();
        call(() -> client.createApp(body), created -> {
            secretFor.set(created.app().appKey());
            oneTimeSecret.set(created.secret());
            newKey.set("");
            newName.set("");
            newOwner.set("");
            newGroups.set("");
            notice.set("App " + created.app().appKey() + " created.");
            refresh();
        });
    }

    public void disable(AppRecord app) {
        message.set("");
        notice.set("");
        ControlPlaneClient client = session.client();
        call(() -> client.setAppEnabled(app.appKey(), false, app.version()), a -> done("App " + a.appKey() + " disabled."));
    }

    public void enable(AppRecord app) {
        message.set("");
        notice.set("");
        ControlPlaneClient client = session.client();
        call(() -> client.setAppEnabled(app.appKey(), true, app.version()), a -> done("App " + a.appKey() + " enabled."));
    }

    public void setGroups(AppRecord app, String commaSeparated) {
        fieldErrors.clear();
        message.set("");
        notice.set("");
        ControlPlaneClient client = session.client();
        call(() -> client.setAppGroups(app.appKey(), groups(commaSeparated), app.version()),
                a -> done("Allowed groups of " + a.appKey() + " changed."));
    }

    /** A new secret for {@code app}; the old one keeps working for {@code grace}. The new one is shown once. */
    public void rotateSecret(AppRecord app, Duration grace) {
        message.set("");
        notice.set("");
        ControlPlaneClient client = session.client();
        call(() -> client.rotateSecret(app.appKey(), grace.toSeconds(), app.version()), rotated -> {
            secretFor.set(rotated.app().appKey());
            oneTimeSecret.set(rotated.secret());
            done("New secret for " + rotated.app().appKey() + "; the old one works until it retires.");
        });
    }

    public void retirePreviousSecret(AppRecord app) {
        message.set("");
        notice.set("");
        ControlPlaneClient client = session.client();
        call(() -> client.retirePreviousSecret(app.appKey(), app.version()),
                a -> done("The previous secret of " + a.appKey() + " no longer works."));
    }

    /** The operator has seen (and copied) the secret: forget it. */
    public void secretSeen() {
        oneTimeSecret.set(null);
        secretFor.set("");
    }

    private void done(String text) {
        notice.set(text);
        refresh();
    }

    private <T> void call(Callable<T> task, java.util.function.Consumer<T> onSuccess) {
        busy.set(true);
        work.run(task, r -> {
            busy.set(false);
            onSuccess.accept(r);
        }, e -> {
            busy.set(false);
            for (FieldProblem f : e.fieldProblems()) {
                fieldErrors.put(formField(f.field()), f.message() != null ? f.message() : f.rule());
            }
            message.set(e.problem() == ControlPlaneException.Problem.CONFLICT
                    ? "Someone changed this app meanwhile; the list is reloaded, try again. (" + e.operatorMessage() + ")"
                    : e.operatorMessage());
            if (e.problem() == ControlPlaneException.Problem.CONFLICT) {
                refresh();
            }
        });
    }

    /** {@code allowedApiGroups[1]} → {@code allowedApiGroups}: errors sit beside the form's field. */
    static String formField(String field) {
        int bracket = field == null ? -1 : field.indexOf('[');
        return bracket < 0 ? field : field.substring(0, bracket);
    }

    static List<String> groups(String commaSeparated) {
        return commaSeparated == null || commaSeparated.isBlank() ? List.of()
                : Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public ObservableList<AppRecord> apps() {
        return apps;
    }

    public StringProperty searchProperty() {
        return search;
    }

    public StringProperty statusProperty() {
        return status;
    }

    public IntegerProperty pageProperty() {
        return page;
    }

    public LongProperty totalProperty() {
        return total;
    }

    /** What went wrong with the last action (shown as an error). */
    public StringProperty messageProperty() {
        return message;
    }

    /** What the last action did (shown as a status line). */
    public StringProperty noticeProperty() {
        return notice;
    }

    public BooleanProperty busyProperty() {
        return busy;
    }

    public ReadOnlyStringProperty oneTimeSecretProperty() {
        return oneTimeSecret.getReadOnlyProperty();
    }

    public StringProperty secretForProperty() {
        return secretFor;
    }

    public StringProperty newKeyProperty() {
        return newKey;
    }

    public StringProperty newNameProperty() {
        return newName;
    }

    public StringProperty newOwnerProperty() {
        return newOwner;
    }

    public StringProperty newGroupsProperty() {
        return newGroups;
    }

    public ObservableMap<String, String> fieldErrors() {
        return fieldErrors;
    }
}
