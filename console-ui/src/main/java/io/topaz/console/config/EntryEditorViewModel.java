package io.topaz.console.config;

import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneException;
import io.topaz.console.controlplane.DraftItem;
import io.topaz.console.controlplane.FieldProblem;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates or edits one draft entry. The control plane is the judge of what is valid: a save sends the form, and each
 * field error of a 400 is put beside the field it names ({@code upstreams[1].url} beside the second upstream's URL);
 * an error naming no field on the form is shown as the editor's message. Only what cannot even be sent as JSON (text
 * in a number field) is caught here.
 *
 * <p>Fields the form does not know (written by a newer control plane) are kept from the entry as read, so saving never
 * drops them. An update names the version it read; if someone changed the entry since, the 409 says so and nothing is
 * overwritten.
 */
public final class EntryEditorViewModel {

    private static final Pattern INDEXED = Pattern.compile("([A-Za-z0-9_]+)\\[(\\d+)](?:\\.([A-Za-z0-9_]+))?");

    private final KindForm form;
    private final DraftItem original;
    private final Session session;
    private final BackgroundWork work;
    private final Consumer<DraftItem> onSaved;
    private final Map<String, FieldInput> inputs = new LinkedHashMap<>();
    private final ObservableList<UpstreamInput> upstreams = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper(false);

    /**
     * @param original the entry to edit, or null for a new one
     * @param onSaved  called on the UI thread with the entry as the control plane stored it
     */
    public EntryEditorViewModel(KindForm form, DraftItem original, Session session, BackgroundWork work,
                                Consumer<DraftItem> onSaved) {
        this.form = form;
        this.original = original;
        this.session = session;
        this.work = work;
        this.onSaved = onSaved;
        for (FieldSpec f : form.fields()) {
            boolean editable = session.mayEdit(form.kind()) && !(original != null && f.name().equals(form.keyField()));
            FieldInput input = new FieldInput(f, editable);
            inputs.put(f.name(), input);
            load(input, original == null ? null : original.value().get(f.name()));
        }
        if (original == null && form.field("upstreams").isPresent()) {
            upstreams.add(new UpstreamInput("", ""));
        }
        upstreams.addListener((javafx.collections.ListChangeListener<UpstreamInput>) c -> input("upstreams").errorProperty().set(""));
        // Attached after loading, so only the operator's own edits count as unsaved changes.
        for (FieldInput in : inputs.values()) {
            in.textProperty().addListener((o, a, b) -> dirty.set(true));
            in.flagProperty().addListener((o, a, b) -> dirty.set(true));
        }
        upstreams.forEach(this::watch);
        upstreams.addListener((javafx.collections.ListChangeListener<UpstreamInput>) c -> {
            dirty.set(true);
            while (c.next()) {
                c.getAddedSubList().forEach(this::watch);
            }
        });
    }

    private void watch(UpstreamInput u) {
        u.urlProperty().addListener((o, a, b) -> dirty.set(true));
        u.weightProperty().addListener((o, a, b) -> dirty.set(true));
    }

    /** True once the operator changed anything since the editor opened (a save closes the editor). */
    public ReadOnlyBooleanProperty dirtyProperty() {
        return dirty.getReadOnlyProperty();
    }

    public boolean isDirty() {
        return dirty.get();
    }

    private void load(FieldInput input, Object value) {
        FieldSpec f = input.spec();
        switch (f.type()) {
            case FLAG -> input.flagProperty().set(Boolean.TRUE.equals(value));
            case TEXT_LIST -> input.textProperty().set(value instanceof List<?> l
                    ? String.join(", ", l.stream().map(String::valueOf).toList()) : "");
            case UPSTREAMS -> {
                if (value instanceof List<?> l) {
                    for (Object o : l) {
                        if (o instanceof Map<?, ?> m) {
                            upstreams.add(new UpstreamInput(text(m.get("url")), text(m.get("weight"))));
                        }
                    }
                }
            }
            case CHOICE -> input.textProperty().set(value == null
                    ? (original == null && !f.choices().isEmpty() ? f.choices().get(0) : "") : text(value));
            default -> input.textProperty().set(text(value));
        }
    }

    private static String text(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        return String.valueOf(v);
    }

    public KindForm form() {
        return form;
    }

    /** The key of the entry being edited, or null for a new one. */
    public String originalKey() {
        return original == null ? null : original.key();
    }

    public boolean isNew() {
        return original == null;
    }

    /** e.g. {@code New flow rule} or {@code Flow rule 'time-get-qps' · version 3} */
    public String title() {
        String singular = Character.toUpperCase(form.singular().charAt(0)) + form.singular().substring(1);
        return original == null ? "New " + form.singular()
                : singular + " '" + original.key() + "' · version " + original.version();
    }

    public boolean isEditable() {
        return session.mayEdit(form.kind());
    }

    public List<FieldInput> inputs() {
        return List.copyOf(inputs.values());
    }

    public FieldInput input(String field) {
        FieldInput in = inputs.get(field);
        if (in == null) {
            throw new IllegalArgumentException(form.kind() + " has no field '" + field + "'; fields: " + inputs.keySet());
        }
        return in;
    }

    public ObservableList<UpstreamInput> upstreams() {
        return upstreams;
    }

    public void addUpstream() {
        upstreams.add(new UpstreamInput("", ""));
    }

    public void removeUpstream(UpstreamInput upstream) {
        upstreams.remove(upstream);
    }

    /** Problems that belong to no single field on the form, and what the last save did. */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public boolean hasFieldErrors() {
        return inputs.values().stream().anyMatch(i -> !i.errorProperty().get().isEmpty())
                || upstreams.stream().anyMatch(u -> !u.urlErrorProperty().get().isEmpty()
                || !u.weightErrorProperty().get().isEmpty());
    }

    public void save() {
        if (busy.get() || !isEditable()) {
            return;
        }
        message.set("");
        clearErrors();
        Map<String, Object> body = body();
        if (body == null) {
            message.set("Fix the fields marked in red, then save again.");
            return;
        }
        busy.set(true);
        String kind = form.kind();
        work.run(() -> original == null ? session.client().create(kind, body)
                        : session.client().update(kind, original.key(), original.version(), body),
                saved -> {
                    busy.set(false);
                    onSaved.accept(saved);
                },
                this::refused);
    }

    private void refused(ControlPlaneException e) {
        busy.set(false);
        switch (e.problem()) {
            case INVALID -> {
                List<String> unplaced = new ArrayList<>();
                for (FieldProblem p : e.fieldProblems()) {
                    if (!place(p)) {
                        unplaced.add(p.message());
                    }
                }
                message.set(unplaced.isEmpty()
                        ? "The control plane refused this " + form.singular() + ": see the fields marked in red."
                        : "The control plane refused this " + form.singular() + ": " + String.join("; ", unplaced)
                        + (unplaced.size() < e.fieldProblems().size() ? " (and see the fields marked in red)" : ""));
                if (e.fieldProblems().isEmpty()) {
                    message.set("The control plane refused this " + form.singular() + ": " + e.getMessage());
                }
            }
            case CONFLICT -> message.set(e.getMessage() + (original == null ? ""
                    : ". Close this editor and open the entry again to see the current version."));
            default -> message.set(e.operatorMessage());
        }
    }

    private void clearErrors() {
        inputs.values().forEach(i -> i.errorProperty().set(""));
        upstreams.forEach(u -> {
            u.urlErrorProperty().set("");
            u.weightErrorProperty().set("");
        });
    }

    /** Puts a field problem beside its field; false when no field on the form matches its path. */
    private boolean place(FieldProblem p) {
        String field = p.field() == null ? "" : p.field();
        FieldInput direct = inputs.get(field);
        if (direct != null) {
            direct.errorProperty().set(p.message());
            return true;
        }
        Matcher m = INDEXED.matcher(field);
        if (m.matches() && inputs.containsKey(m.group(1))) {
            int index = Integer.parseInt(m.group(2));
            FieldInput list = inputs.get(m.group(1));
            if (list.spec().type() == FieldType.UPSTREAMS && index < upstreams.size() && m.group(3) != null) {
                UpstreamInput u = upstreams.get(index);
                if ("url".equals(m.group(3))) {
                    u.urlErrorProperty().set(p.message());
                    return true;
                }
                if ("weight".equals(m.group(3))) {
                    u.weightErrorProperty().set(p.message());
                    return true;
                }
            }
            list.errorProperty().set(p.message());
            return true;
        }
        return false;
    }

    /**
     * The JSON object to send: the entry as read, with each form field set (or removed when empty, so the control
     * plane applies its default or says it is required). Null when a number field holds text that is not a number.
     */
    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>(original == null ? Map.of() : original.value());
        boolean ok = true;
        for (FieldInput in : inputs.values()) {
            String name = in.spec().name();
            String text = in.textProperty().get() == null ? "" : in.textProperty().get().strip();
            switch (in.spec().type()) {
                case FLAG -> body.put(name, in.flagProperty().get());
                case TEXT_LIST -> body.put(name, text.isEmpty() ? List.of()
                        : Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
                case UPSTREAMS -> {
                    List<Map<String, Object>> list = new ArrayList<>();
                    for (UpstreamInput u : upstreams) {
                        Map<String, Object> one = new LinkedHashMap<>();
                        String url = u.urlProperty().get() == null ? "" : u.urlProperty().get().strip();
                        one.put("url", url.isEmpty() ? null : url);
                        String w = u.weightProperty().get() == null ? "" : u.weightProperty().get().strip();
                        if (!w.isEmpty()) {
                            Long weight = wholeNumber(w);
                            if (weight == null) {
                                u.weightErrorProperty().set("weight must be a whole number, was " + w);
                                ok = false;
                            }
                            one.put("weight", weight);
                        }
                        list.add(one);
                    }
                    body.put(name, list);
                }
                case WHOLE_NUMBER -> {
                    if (text.isEmpty()) {
                        body.remove(name);
                    } else {
                        Long n = wholeNumber(text);
                        if (n == null) {
                            in.errorProperty().set(name + " must be a whole number, was " + text);
                            ok = false;
                        }
                        body.put(name, n);
                    }
                }
                case DECIMAL -> {
                    if (text.isEmpty()) {
                        body.remove(name);
                    } else {
                        try {
                            body.put(name, Double.parseDouble(text));
                        } catch (NumberFormatException e) {
                            in.errorProperty().set(name + " must be a number such as 0.01, was " + text);
                            ok = false;
                        }
                    }
                }
                default -> {
                    if (text.isEmpty()) {
                        body.remove(name);
                    } else {
                        body.put(name, text);
                    }
                }
            }
        }
        return ok ? body : null;
    }

    private static Long wholeNumber(String text) {
        try {
            return Long.parseLong(text.replace("_", "").replace(" ", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
