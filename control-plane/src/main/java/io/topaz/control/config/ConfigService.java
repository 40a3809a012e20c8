package io.topaz.control.config;

import io.topaz.control.audit.AuditOutbox;
import io.topaz.model.config.ConfigEntry;
import io.topaz.model.config.ConfigItem;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.validation.ConfigValidationException;
import io.topaz.model.validation.FieldError;
import org.springframework.stereotype.Service;

import java.util.List;
import java.util.Optional;

/**
 * Draft edits: validate, write with optimistic concurrency, audit. The audit record commits with the write (in the
 * {@link AuditOutbox}) and is moved to the audit log before the answer; if the database is down it follows later.
 */
@Service
public class ConfigService {

    private final DraftStore drafts;
    private final AuditOutbox audit;
    /** Where listings read from; null (tests wiring the services by hand) reads the kind from ZooKeeper. */
    private final DraftView view;

    @org.springframework.beans.factory.annotation.Autowired
    public ConfigService(DraftStore drafts, AuditOutbox audit, DraftView view) {
        this.drafts = drafts;
        this.audit = audit;
        this.view = view;
    }

    public ConfigService(DraftStore drafts, AuditOutbox audit) {
        this(drafts, audit, null);
    }

    /** The draft's current revision: what a publish must name. */
    public long revision() throws Exception {
        return drafts.revision().number();
    }

    /** The kind's draft entries by key, from the watched view (see {@link DraftView}). */
    public <T extends ConfigEntry> List<ConfigItem<T>> list(ConfigKind<T> kind) throws Exception {
        return view == null ? drafts.list(kind) : view.list(kind);
    }

    public <T extends ConfigEntry> Optional<ConfigItem<T>> get(ConfigKind<T> kind, String key) throws Exception {
        return drafts.get(kind, key);
    }

    public <T extends ConfigEntry> ConfigItem<T> create(ConfigKind<T> kind, T value, String actor) throws Exception {
        validate(kind, value);
        ConfigItem<T> item = drafts.create(kind, value, actor);
        audit.replay();
        return item;
    }

    public <T extends ConfigEntry> ConfigItem<T> update(ConfigKind<T> kind, String key, T value, long expectedVersion,
                                                        String actor) throws Exception {
        validate(kind, value);
        if (!key.equals(value.key())) {
            throw new ConfigValidationException(kind.displayName() + " '" + key + "'", List.of(new FieldError(
                    keyField(kind), value.key(), "must equal the key in the URL ('" + key + "'); to rename, create the new "
                    + "entry and delete the old one")));
        }
        DraftStore.Change<T> change = drafts.update(kind, value, expectedVersion, actor);
        audit.replay();
        return change.after();
    }

    public <T extends ConfigEntry> void delete(ConfigKind<T> kind, String key, long expectedVersion, String actor)
            throws Exception {
        drafts.delete(kind, key, expectedVersion, actor);
        audit.replay();
    }

    private static <T extends ConfigEntry> void validate(ConfigKind<T> kind, T value) {
        List<FieldError> errors = value.validate();
        if (!errors.isEmpty()) {
            String key = value.key() == null ? "(no key)" : "'" + value.key() + "'";
            throw new ConfigValidationException(kind.displayName() + " " + key + " is invalid", errors);
        }
    }

    static String keyField(ConfigKind<?> kind) {
        return switch (kind.name()) {
            case "apis" -> "method";
            case "apps", "subscriptions" -> "appKey";
            case "flow-rules", "quota-rules", "overload-rules" -> "id";
            case "cache-rules" -> "kind";
            case "assignments" -> "sellerGroup";
            default -> "name";
        };
    }
}
