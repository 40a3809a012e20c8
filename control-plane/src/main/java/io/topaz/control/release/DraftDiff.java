package io.topaz.control.release;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.topaz.model.config.ConfigEntry;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What publishing would change: each entry added, modified or removed between the live release and the draft.
 *
 * @param baseRelease   the live release the draft is compared with (0 when nothing is published yet)
 * @param draftRevision the draft revision these changes were read at; a publish sends it back so that only what was
 *                      reviewed is published
 */
public record DraftDiff(long baseRelease, long draftRevision, List<Change> changes) {

    public enum ChangeType { ADDED, MODIFIED, REMOVED }

    /** One entry's change; {@code before} is null when added, {@code after} when removed. */
    public record Change(String kind, String key, ChangeType type, ConfigEntry before, ConfigEntry after) {
    }

    @JsonIgnore
    public boolean isEmpty() {
        return changes.isEmpty();
    }

    public static DraftDiff between(ConfigSnapshot live, ConfigSnapshot draft) {
        List<Change> changes = new ArrayList<>();
        for (ConfigKind<?> kind : ConfigKind.all()) {
            Map<String, ? extends ConfigEntry> before = live.items(kind);
            Map<String, ? extends ConfigEntry> after = draft.items(kind);
            TreeSet<String> keys = new TreeSet<>(before.keySet());
            keys.addAll(after.keySet());
            for (String key : keys) {
                ConfigEntry b = before.get(key);
                ConfigEntry a = after.get(key);
                if (b == null) {
                    changes.add(new Change(kind.name(), key, ChangeType.ADDED, null, a));
                } else if (a == null) {
                    changes.add(new Change(kind.name(), key, ChangeType.REMOVED, b, null));
                } else if (!a.equals(b)) {
                    changes.add(new Change(kind.name(), key, ChangeType.MODIFIED, b, a));
                }
            }
        }
        return new DraftDiff(live.release(), 0, List.copyOf(changes));
    }

    public DraftDiff atRevision(long revision) {
        return new DraftDiff(baseRelease, revision, changes);
    }

    /** Each change as {@code kind 'key'}, e.g. to name the draft work a rollback discards. */
    public List<String> describeKeys() {
        return changes.stream().map(c -> c.kind() + " '" + c.key() + "'").toList();
    }
}
