package io.topaz.console.messages;

import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.DeadLetterPage;
import io.topaz.console.controlplane.MessageQueues;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Messages screen: per app its backlog, in-flight messages, oldest unconfirmed age and redelivery and dead-letter
 * rates (from successive answers of the control plane, which asks the broker agents), and the selected app's
 * dead-letter queue page by page, with replay and purge of chosen dead letters for operators. Every call runs in the
 * background; a refresh asked for while one runs is not doubled: one more runs after it. An answer that arrives for an
 * app or page no longer shown is dropped.
 */
public final class MessagesViewModel {

    static final int PAGE_SIZE = 50;
    /** The control plane pages only through the newest 10,000 dead letters of a query. */
    static final int MAX_WINDOW = 10_000;

    private final Session session;
    private final BackgroundWork work;
    private final ZoneId zone;
    private final QueueRates rates = new QueueRates();
    private final ObservableList<AppRow> apps = FXCollections.observableArrayList();
    private final ObservableList<DeadLetterRow> deadLetters = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("Loading the message queues…");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper warning = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper deadLettersTitle = new ReadOnlyStringWrapper("Select an app to see its dead letters");
    private final ReadOnlyStringWrapper pageText = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper selectedApp = new ReadOnlyStringWrapper();
    private final ReadOnlyBooleanWrapper hasPrevious = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper hasNext = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private boolean loading;
    private boolean refreshAgain;
    private int page;
    private List<String> queuesUnreachable = List.of();
    private List<String> lettersUnreachable = List.of();
    /** The ids the operator selected on the shown page, kept across reloads of the page. */
    private Set<Long> chosen = Set.of();
    private boolean replacing;
    private final ConnectionsViewModel connections;

    public MessagesViewModel(Session session, BackgroundWork work, ZoneId zone) {
        this.session = session;
        this.work = work;
        this.zone = zone;
        this.connections = new ConnectionsViewModel(session, work, zone);
    }

    /** The push connections' part of the screen (refreshed with the queues). */
    public ConnectionsViewModel connections() {
        return connections;
    }

    /** One row per app with a queue on an agent that answered, by app key. */
    public ObservableList<AppRow> apps() {
        return apps;
    }

    /** The selected app's dead letters on the shown page, newest first. */
    public ObservableList<DeadLetterRow> deadLetters() {
        return deadLetters;
    }

    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    /** Why the last call failed; empty when it did not. */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** Which agents did not answer, so what is shown lacks their part; empty when all did. */
    public ReadOnlyStringProperty warningProperty() {
        return warning.getReadOnlyProperty();
    }

    /** What the last replay or purge did. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty deadLettersTitleProperty() {
        return deadLettersTitle.getReadOnlyProperty();
    }

    /** e.g. {@code Page 2 of 3 · 120 dead letters}. */
    public ReadOnlyStringProperty pageTextProperty() {
        return pageText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty selectedAppProperty() {
        return selectedApp.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty hasPreviousProperty() {
        return hasPrevious.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty hasNextProperty() {
        return hasNext.getReadOnlyProperty();
    }

    /** A replay or purge is running. */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /**
     * The view reports the operator's selection here, so a reload of the page (every refresh) can select the same
     * dead letters again; a selection change caused by the reload itself is ignored.
     */
    public void choose(List<Long> ids) {
        if (!replacing) {
            chosen = Set.copyOf(ids);
        }
    }

    /**
     * True while a refresh replaces the rows of a table: the table's selection changes then, but the operator's choice
     * (the app, the dead letters) does not.
     */
    public boolean replacing() {
        return replacing;
    }

    /** The dead letters to select again after the page was reloaded. */
    public Set<Long> chosen() {
        return chosen;
    }

    /** Replay and purge are for operators; viewers only look. */
    public boolean mayAct() {
        return session.mayPublish();
    }

    private record Loaded(MessageQueues queues, String app, int page, DeadLetterPage letters) {
    }

    /** Reloads the queues and, when an app is selected, its shown page of dead letters, in one background call. */
    public void refresh() {
        connections.refresh();
        if (loading) {
            refreshAgain = true;
            return;
        }
        loading = true;
        String app = selectedApp.get();
        int shownPage = page;
        work.run(() -> new Loaded(session.client().messageQueues(), app,
                        shownPage, app == null ? null : session.client().deadLetters(app, shownPage, PAGE_SIZE)),
                loaded -> {
                    loading = false;
                    message.set("");
                    applyQueues(loaded.queues());
                    if (loaded.letters() != null) {
                        applyPage(loaded.app(), loaded.page(), loaded.letters());
                    }
                    refreshAgainIfAsked();
                }, e -> {
                    loading = false;
                    message.set("Cannot load the message queues: " + e.operatorMessage());
                    refreshAgainIfAsked();
                });
    }

    private void refreshAgainIfAsked() {
        if (refreshAgain) {
            refreshAgain = false;
            refresh();
        }
    }

    /** Shows the first page of {@code app}'s dead letters (null: none). */
    public void select(String app) {
        if (app == null ? selectedApp.get() == null : app.equals(selectedApp.get())) {
            return;
        }
        selectedApp.set(app);
        page = 0;
        chosen = Set.of();
        deadLetters.clear();
        lettersUnreachable = List.of();
        status.set("");
        updateWarning();
        deadLettersTitle.set(app == null ? "Select an app to see its dead letters" : "Dead letters of " + app);
        pageText.set(app == null ? "" : "Loading…");
        hasPrevious.set(false);
        hasNext.set(false);
        if (app != null) {
            loadPage();
        }
    }

    public void nextPage() {
        if (hasNext.get()) {
            page++;
            chosen = Set.of();
            loadPage();
        }
    }

    public void previousPage() {
        if (page > 0) {
            page--;
            chosen = Set.of();
            loadPage();
        }
    }

    private void loadPage() {
        String app = selectedApp.get();
        int wanted = page;
        work.run(() -> session.client().deadLetters(app, wanted, PAGE_SIZE), p -> {
            message.set("");
            applyPage(app, wanted, p);
        }, e -> {
            if (app.equals(selectedApp.get())) {
                message.set("Cannot load the dead letters of " + app + ": " + e.operatorMessage());
            }
        });
    }

    /** Sends these dead letters of the selected app back to their queues, then reloads the page. */
    public void replay(List<Long> ids) {
        act(ids, true);
    }

    /** Deletes these dead letters of the selected app, then reloads the page. */
    public void purge(List<Long> ids) {
        act(ids, false);
    }

    private void act(List<Long> ids, boolean replay) {
        String app = selectedApp.get();
        if (app == null || ids.isEmpty() || busy.get()) {
            return;
        }
        busy.set(true);
        status.set("");
        List<Long> chosen = List.copyOf(ids);
        work.run(() -> replay ? session.client().replayDeadLetters(app, chosen) : session.client().purgeDeadLetters(app, chosen),
                r -> {
                    busy.set(false);
                    message.set("");
                    String verb = replay ? "Replayed " : "Purged ";
                    String s = verb + r.done() + " of " + plural(r.requested(), "dead letter") + " of " + app + ".";
                    if (!r.unreachable().isEmpty()) {
                        s += " Not done on " + String.join(", ", r.unreachable())
                                + ", which did not answer: try again when " + (r.unreachable().size() == 1 ? "it is" : "they are")
                                + " back.";
                    }
                    status.set(s);
                    // the queues' counts and the shown page (without what was just replayed or purged)
                    refresh();
                }, e -> {
                    busy.set(false);
                    message.set((replay ? "Cannot replay" : "Cannot purge") + " the dead letters of " + app + ": "
                            + e.operatorMessage());
                });
    }

    private void applyQueues(MessageQueues q) {
        Map<String, QueueRates.Rates> r = rates.next(q);
        Map<String, AppRow> existing = new HashMap<>();
        apps.forEach(a -> existing.put(a.app(), a));
        List<AppRow> next = new ArrayList<>();
        for (MessageQueues.AppTotals t : q.apps()) {
            AppRow row = existing.computeIfAbsent(t.app(), AppRow::new);
            row.update(t, r.isEmpty() ? null : r.getOrDefault(t.app(), new QueueRates.Rates(0, 0)));
            next.add(row);
        }
        if (!next.equals(apps)) {
            replacing = true;
            try {
                apps.setAll(next);
            } finally {
                replacing = false;
            }
        }
        queuesUnreachable = q.unreachable();
        updateWarning();
        int agents = q.agents().size() + q.unreachable().size();
        String s = plural(q.apps().size(), "app") + " · " + q.agents().size() + " of " + plural(agents, "broker agent")
                + " answering";
        if (rates.intervalSeconds() > 0) {
            s += String.format(Locale.ROOT, " · rates per second over the last %.1f s", rates.intervalSeconds());
        }
        summary.set(s);
    }

    private void applyPage(String app, int shownPage, DeadLetterPage p) {
        if (!app.equals(selectedApp.get()) || shownPage != page) {
            return;
        }
        if (p.items().isEmpty() && shownPage > 0) {
            // the page emptied (replayed or purged, here or elsewhere): show the last page that has any
            page = p.total() <= 0 ? 0 : (int) Math.min(shownPage - 1, (p.total() - 1) / PAGE_SIZE);
            loadPage();
            return;
        }
        List<DeadLetterRow> rows = p.items().stream().map(d -> DeadLetterRow.of(d, zone)).toList();
        if (!rows.equals(deadLetters)) {
            replacing = true;
            try {
                deadLetters.setAll(rows);
            } finally {
                replacing = false;
            }
        }
        long pages = Math.max(1, (p.total() + PAGE_SIZE - 1) / PAGE_SIZE);
        pageText.set("Page " + (shownPage + 1) + " of " + pages + " · " + plural(p.total(), "dead letter"));
        hasPrevious.set(shownPage > 0);
        hasNext.set((long) (shownPage + 1) * PAGE_SIZE < p.total() && (long) (shownPage + 2) * PAGE_SIZE <= MAX_WINDOW);
        lettersUnreachable = p.unreachable();
        updateWarning();
    }

    private void updateWarning() {
        List<String> missing = new ArrayList<>(queuesUnreachable);
        lettersUnreachable.stream().filter(a -> !missing.contains(a)).forEach(missing::add);
        warning.set(missing.isEmpty() ? "" : String.join(", ", missing) + (missing.size() == 1 ? " does" : " do")
                + " not answer: " + (missing.size() == 1 ? "its" : "their") + " queues and dead letters are missing here.");
    }

    /** {@code 45 s}, {@code 12 min}, {@code 3 h 5 min}, {@code 2 d 4 h}; an em dash for none. */
    public static String age(long millis) {
        if (millis <= 0) {
            return "—";
        }
        long s = millis / 1000;
        if (s < 60) {
            return s + " s";
        }
        long m = s / 60;
        if (m < 60) {
            return m + " min";
        }
        long h = m / 60;
        if (h < 24) {
            return h + " h" + (m % 60 == 0 ? "" : " " + m % 60 + " min");
        }
        return h / 24 + " d" + (h % 24 == 0 ? "" : " " + h % 24 + " h");
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
