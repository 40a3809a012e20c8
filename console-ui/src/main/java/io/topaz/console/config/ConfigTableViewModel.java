package io.topaz.console.config;

import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.DraftItem;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One kind's table: every draft entry of the kind, filtered as the operator types in the search box (matching any
 * shown column), and the editor open beside it, if any. Edit controls exist only when the session's role may edit
 * this kind.
 */
public final class ConfigTableViewModel {

    private final KindForm form;
    private final Session session;
    private final BackgroundWork work;
    private final ObservableList<DraftItem> items = FXCollections.observableArrayList();
    private final FilteredList<DraftItem> visible = new FilteredList<>(items, i -> true);
    private final StringProperty search = new SimpleStringProperty("");
    private final ObjectProperty<EntryEditorViewModel> editor = new SimpleObjectProperty<>();
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper notice = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(false);

    public ConfigTableViewModel(KindForm form, Session session, BackgroundWork work) {
        this.form = form;
        this.session = session;
        this.work = work;
        search.addListener((o, a, b) -> applySearch());
    }

    public KindForm form() {
        return form;
    }

    public boolean isEditable() {
        return session.mayEdit(form.kind());
    }

    /** The entries matching the search, sorted by key. */
    public ObservableList<DraftItem> visibleItems() {
        return visible;
    }

    public StringProperty searchProperty() {
        return search;
    }

    /** The open editor, or null. */
    public ObjectProperty<EntryEditorViewModel> editorProperty() {
        return editor;
    }

    /** The last failure, as a sentence; empty when the last call worked. */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** e.g. {@code 3 of 12 flow rules match 'trade'}. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** What the last save or delete did, e.g. {@code Saved flow rule 'x' (version 2) to the draft; …}. */
    public ReadOnlyStringProperty noticeProperty() {
        return notice.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    public void refresh() {
        if (loading.get()) {
            return;
        }
        loading.set(true);
        work.run(() -> session.client().list(form.kind()), list -> {
            loading.set(false);
            message.set("");
            items.setAll(list);
            applySearch();
        }, e -> {
            loading.set(false);
            message.set("Cannot load " + form.title().toLowerCase(Locale.ROOT) + ": " + e.operatorMessage());
        });
    }

    public void newEntry() {
        if (isEditable()) {
            notice.set("");
            editor.set(new EntryEditorViewModel(form, null, session, work, this::saved));
        }
    }

    /** Opens the editor on an entry; read-only for a role that may not edit this kind. */
    public void open(DraftItem item) {
        editor.set(item == null ? null : new EntryEditorViewModel(form, item, session, work, this::saved));
    }

    public void closeEditor() {
        editor.set(null);
    }

    public void delete(DraftItem item) {
        if (!isEditable() || item == null) {
            return;
        }
        work.run(() -> {
            session.client().delete(form.kind(), item.key(), item.version());
            return item;
        }, deleted -> {
            message.set("");
            EntryEditorViewModel open = editor.get();
            if (open != null && deleted.key().equals(open.originalKey())) {
                editor.set(null);
            }
            refresh();
            notice.set("Deleted " + form.singular() + " '" + deleted.key() + "' from the draft");
 }, e -> {
            notice.set("");
            message.set("Cannot delete " + form.singular() + " '" + item.key() + "': " + e.operatorMessage());
        });
    }

    private void saved(DraftItem item) {
        editor.set(null);
        refresh();
        notice.set("Saved " + form.singular() + " '" + item.key() + "' (version " + item.version()
                + ") to the draft; publish it on the Releases screen");
    }

    private void applySearch() {
        String q = search.get() == null ? "" : search.get().strip().toLowerCase(Locale.ROOT);
        visible.setPredicate(q.isEmpty() ? i -> true : i -> matches(i, q));
        String what = items.size() == 1 ? form.singular() : plural(form.singular());
        status.set(q.isEmpty() ? items.size() + " " + what
                : visible.size() + " of " + items.size() + " " + plural(form.singular()) + " match '" + search.get().strip() + "'");
    }

    private boolean matches(DraftItem item, String q) {
        if (item.key().toLowerCase(Locale.ROOT).contains(q)) {
            return true;
        }
        return form.columns().stream().anyMatch(c -> cellText(item, c).toLowerCase(Locale.ROOT).contains(q));
    }

    private static String plural(String word) {
        return word.endsWith("y") ? word.substring(0, word.length() - 1) + "ies" : word + "s";
    }

    /** How a value shows in the table: lists comma-separated, upstreams as {@code url ×weight}. */
    public String cellText(DraftItem item, String column) {
        Object v = item.value().get(column);
        FieldType type = form.field(column).map(FieldSpec::type).orElse(FieldType.TEXT);
        if (v == null) {
            return "";
        }
        if (type == FieldType.UPSTREAMS && v instanceof List<?> list) {
            return list.stream().map(o -> o instanceof Map<?, ?> m
                    ? m.get("url") + " ×" + m.get("weight") : String.valueOf(o)).collect(Collectors.joining(", "));
        }
        if (v instanceof List<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(", "));
        }
        if (v instanceof Double d) {
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        if (type == FieldType.FLAG) {
            return Boolean.TRUE.equals(v) ? "yes" : "no";
        }
        return String.valueOf(v);
    }
}
