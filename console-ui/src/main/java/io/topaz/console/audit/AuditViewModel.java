package io.topaz.console.audit;

import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.AuditEvent;
import io.topaz.console.controlplane.AuditFilter;
import io.topaz.model.json.Json;
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
import tools.jackson.core.JacksonException;
import tools.jackson.databind.SerializationFeature;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The audit log with its filters. Times are entered as a date and an optional {@code HH:mm} in the operator's zone;
 * "from" is inclusive, "to" runs to the end of its minute (or day, without a time). Results come newest first,
 * {@value #PAGE} at a time; {@link #loadOlder()} appends the next page.
 */
public final class AuditViewModel {

    static final int PAGE = 200;
    /** Kinds an audit event can name, for the item filter; "" means any. */
    public static final List<String> KINDS = List.of("", "apis", "apps", "flow-rules", "quota-rules", "api-groups", "overload-rules", "cache-rules",
            "seller-groups", "agent-clusters", "assignments", "sync-targets", "topics", "subscriptions", "tmc-permits", "tmc-groups", "dead-letters", "tokens");

    private final Session session;
    private final BackgroundWork work;
    private final Clock clock;
    private final ZoneId zone;
    private final ObjectProperty<LocalDate> fromDate = new SimpleObjectProperty<>();
    private final StringProperty fromTime = new SimpleStringProperty("");
    private final ObjectProperty<LocalDate> toDate = new SimpleObjectProperty<>();
    private final StringProperty toTime = new SimpleStringProperty("");
    private final StringProperty actor = new SimpleStringProperty("");
    private final StringProperty kind = new SimpleStringProperty("");
    private final StringProperty key = new SimpleStringProperty("");
    private final StringProperty release = new SimpleStringProperty("");
    private final ObservableList<AuditEvent> events = FXCollections.observableArrayList();
    private final ObjectProperty<AuditEvent> selected = new SimpleObjectProperty<>();
    private final ReadOnlyStringWrapper detail = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper moreAvailable = new ReadOnlyBooleanWrapper(false);
    private AuditFilter lastFilter = AuditFilter.any();

    public AuditViewModel(Session session, BackgroundWork work, Clock clock, ZoneId zone) {
        this.session = session;
        this.work = work;
        this.clock = clock;
        this.zone = zone;
        selected.addListener((o, a, e) -> detail.set(e == null ? "" : describe(e)));
    }

    public ObjectProperty<LocalDate> fromDateProperty() {
        return fromDate;
    }

    public StringProperty fromTimeProperty() {
        return fromTime;
    }

    public ObjectProperty<LocalDate> toDateProperty() {
        return toDate;
    }

    public StringProperty toTimeProperty() {
        return toTime;
    }

    /** The user (token name) who made the change; exact match. */
    public StringProperty actorProperty() {
        return actor;
    }

    public StringProperty kindProperty() {
        return kind;
    }

    public StringProperty keyProperty() {
        return key;
    }

    public StringProperty releaseProperty() {
        return release;
    }

    public ObservableList<AuditEvent> events() {
        return events;
    }

    public ObjectProperty<AuditEvent> selectedProperty() {
        return selected;
    }

    public ReadOnlyStringProperty detailProperty() {
        return detail.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty moreAvailableProperty() {
        return moreAvailable.getReadOnlyProperty();
    }

    /** Sets the range to the last hour, to now. */
    public void lastHour() {
        LocalDateTime now = LocalDateTime.ofInstant(clock.instant(), zone);
        LocalDateTime from = now.minusHours(1);
        fromDate.set(from.toLocalDate());
        fromTime.set(hhmm(from.toLocalTime()));
        toDate.set(null);
        toTime.set("");
        search();
    }

    /** Sets the range to the last {@code days} days, today included. */
    public void lastDays(int days) {
        fromDate.set(LocalDate.ofInstant(clock.instant(), zone).minusDays(days - 1L));
        fromTime.set("");
        toDate.set(null);
        toTime.set("");
        search();
    }

    public void clearFilters() {
        fromDate.set(null);
        fromTime.set("");
        toDate.set(null);
        toTime.set("");
        actor.set("");
        kind.set("");
        key.set("");
        release.set("");
        search();
    }

    public void search() {
        AuditFilter filter;
        try {
            filter = filter();
        } catch (IllegalArgumentException e) {
            message.set(e.getMessage());
            return;
        }
        message.set("");
        lastFilter = filter;
        work.run(() -> session.client().audit(filter, 0, PAGE), page -> {
            events.setAll(page);
            moreAvailable.set(page.size() == PAGE);
            status.set(page.isEmpty() ? "No events match" : page.size() + (page.size() == PAGE ? "+" : "")
                    + " events, newest first");
        }, e -> message.set("Cannot read the audit log: " + e.operatorMessage()));
    }

    public void loadOlder() {
        AuditFilter filter = lastFilter;
        int offset = events.size();
        work.run(() -> session.client().audit(filter, offset, PAGE), page -> {
            events.addAll(page);
            moreAvailable.set(page.size() == PAGE);
            status.set(events.size() + (page.size() == PAGE ? "+" : "") + " events, newest first");
        }, e -> message.set("Cannot read the audit log: " + e.operatorMessage()));
    }

    /** The filter the fields describe; throws with a sentence naming the field when one cannot be read. */
    AuditFilter filter() {
        Instant from = instant("From", fromDate.get(), fromTime.get(), false);
        Instant to = instant("To", toDate.get(), toTime.get(), true);
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("'From' must be before 'To'");
        }
        Long rel = null;
        String r = release.get() == null ? "" : release.get().strip();
        if (!r.isEmpty()) {
            try {
                rel = Long.parseLong(r);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Release must be a release number such as 7, was '" + r + "'");
            }
        }
        return new AuditFilter(from, to, blankToNull(kind.get()), blankToNull(key.get()), rel, blankToNull(actor.get()));
    }

    private Instant instant(String label, LocalDate date, String time, boolean end) {
        String t = time == null ? "" : time.strip();
        if (date == null) {
            if (!t.isEmpty()) {
                throw new IllegalArgumentException("'" + label + "' has a time but no date: pick a date too");
            }
            return null;
        }
        if (t.isEmpty()) {
            LocalDate day = end ? date.plusDays(1) : date;
            return day.atStartOfDay(zone).toInstant();
        }
        LocalTime lt;
        try {
            lt = LocalTime.parse(t.length() == 4 ? "0" + t : t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + label + "' time must be HH:mm such as 08:30, was '" + t + "'");
        }
        Instant at = date.atTime(lt).atZone(zone).toInstant();
        return end ? at.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES) : at;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static String hhmm(LocalTime t) {
        return String.format("%02d:%02d", t.getHour(), t.getMinute());
    }

    static String describe(AuditEvent e) {
        StringBuilder sb = new StringBuilder();
        sb.append(e.at()).append("  ").append(e.actor()).append("  ").append(e.action());
        if (e.kind() != null) {
            sb.append("  ").append(e.kind()).append(" '").append(e.key()).append("'");
        }
        if (e.itemVersion() != null) {
            sb.append(" → version ").append(e.itemVersion());
        }
        if (e.release() != null) {
            sb.append("  release ").append(e.release());
        }
        sb.append("\n\n");
        if (e.detail() != null && !e.detail().isBlank()) {
            try {
                Object tree = Json.lenient().readTree(e.detail());
                sb.append(Json.lenient().writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(tree));
            } catch (JacksonException ex) {
                sb.append(e.detail());
            }
        }
        return sb.toString();
    }
}
