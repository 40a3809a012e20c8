package io.topaz.model.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole content of one release: every entry of every kind, immutable. Agents hold exactly one snapshot at a time
 * and swap it by one reference, so a request never sees a mix of two releases.
 */
public final class ConfigSnapshot {

    private static final ConfigSnapshot EMPTY = new ConfigSnapshot(0, Map.of());

    private final long release;
    private final Map<String, Map<String, ConfigEntry>> byKind;

    private ConfigSnapshot(long release, Map<String, Map<String, ConfigEntry>> byKind) {
        this.release = release;
        this.byKind = byKind;
    }

    /** The snapshot of no release at all (release number 0). */
    public static ConfigSnapshot empty() {
        return EMPTY;
    }

    public static Builder builder(long release) {
        return new Builder(release);
    }

    public long release() {
        return release;
    }

    /** The entries of one kind by key, sorted by key. */
    @SuppressWarnings("unchecked")
    public <T extends ConfigEntry> Map<String, T> items(ConfigKind<T> kind) {
        return (Map<String, T>) (Map<String, ?>) byKind.getOrDefault(kind.name(), Map.of());
    }

    public int size() {
        return byKind.values().stream().mapToInt(Map::size).sum();
    }

    public Map<String, ApiDefinition> apis() {
        return items(ConfigKind.APIS);
    }

    public Map<String, FlowRule> flowRules() {
        return items(ConfigKind.FLOW_RULES);
    }

    public Map<String, Topic> topics() {
        return items(ConfigKind.TOPICS);
    }

    /** Subscriptions by app key. */
    public Map<String, Subscription> subscriptions() {
        return items(ConfigKind.SUBSCRIPTIONS);
    }

    /** Order-sync targets by name. */
    public Map<String, SyncTarget> syncTargets() {
        return items(ConfigKind.SYNC_TARGETS);
    }

    /** The same content under another release number (a rollback republishes old content as a new release). */
    public ConfigSnapshot withRelease(long newRelease) {
        return new ConfigSnapshot(newRelease, byKind);
    }

    /** True when both hold the same entries, whatever their release numbers. */
    public boolean sameContent(ConfigSnapshot other) {
        return byKind.equals(other.byKind);
    }

    @Override
    public String toString() {
        return "ConfigSnapshot[release=" + release + ", entries=" + size() + "]";
    }

    /** Collects entries; refuses two entries with one key in one kind. */
    public static final class Builder {
        private final long release;
        private final Map<String, TreeMap<String, ConfigEntry>> byKind = new LinkedHashMap<>();

        private Builder(long release) {
            this.release = release;
        }

        public <T extends ConfigEntry> Builder put(ConfigKind<T> kind, T entry) {
            TreeMap<String, ConfigEntry> items = byKind.computeIfAbsent(kind.name(), k -> new TreeMap<>());
            if (items.putIfAbsent(entry.key(), entry) != null) {
                throw new IllegalArgumentException(kind.displayName() + " '" + entry.key() + "' appears twice");
            }
            return this;
        }

        public Builder putUnchecked(ConfigKind<?> kind, ConfigEntry entry) {
            return put(castKind(kind), entry);
        }

        @SuppressWarnings("unchecked")
        private static ConfigKind<ConfigEntry> castKind(ConfigKind<?> kind) {
            return (ConfigKind<ConfigEntry>) kind;
        }

        public ConfigSnapshot build() {
            Map<String, Map<String, ConfigEntry>> copy = new LinkedHashMap<>();
            for (ConfigKind<?> kind : ConfigKind.all()) {
                TreeMap<String, ConfigEntry> items = byKind.get(kind.name());
                if (items != null && !items.isEmpty()) {
                    copy.put(kind.name(), Collections.unmodifiableMap(new LinkedHashMap<>(items)));
                }
            }
            return new ConfigSnapshot(release, Collections.unmodifiableMap(copy));
        }
    }
}
