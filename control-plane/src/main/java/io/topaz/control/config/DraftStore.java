package io.topaz.control.config;

import io.topaz.control.web.ApiException;
import io.topaz.control.zk.ZkOps;
import io.topaz.model.config.ConfigEntry;
import io.topaz.model.config.ConfigItem;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JavaType;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The draft: one ZooKeeper node per entry holding a {@link ConfigItem}. Writes are compare-and-set on the node's
 * ZooKeeper version, so two operators (or two control planes) can never overwrite each other silently: the second
 * writer gets a conflict and must re-read.
 */
@Repository
public class DraftStore {

    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final Clock clock;

    DraftStore(CuratorFramework curator, ZkLayout layout, Clock clock) {
        this.curator = curator;
        this.layout = layout;
        this.clock = clock;
    }

    public <T extends ConfigEntry> Optional<ConfigItem<T>> get(ConfigKind<T> kind, String key) throws Exception {
        try {
            Stat stat = new Stat();
            byte[] data = curator.getData().storingStatIn(stat).forPath(layout.draftItem(kind, key));
            return Optional.of(decode(kind, data));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    public <T extends ConfigEntry> List<ConfigItem<T>> list(ConfigKind<T> kind) throws Exception {
        List<String> children;
        try {
            children = curator.getChildren().forPath(layout.draftKind(kind));
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
        List<String> paths = children.stream().map(c -> layout.draftKind(kind) + "/" + c).toList();
        List<ConfigItem<T>> items = new ArrayList<>(paths.size());
        for (ZkOps.Node node : ZkOps.readAll(curator, paths)) {
            items.add(decode(kind, node.data()));
        }
        items.sort(Comparator.comparing(ConfigItem::key));
        return items;
    }

    /** The whole draft as a snapshot numbered {@code release}. */
    public ConfigSnapshot snapshot(long release) throws Exception {
        ConfigSnapshot.Builder b = ConfigSnapshot.builder(release);
        for (ConfigKind<?> kind : ConfigKind.all()) {
            for (ConfigItem<?> item : list(kind)) {
                b.putUnchecked(kind, item.value());
            }
        }
        return b.build();
    }

    public <T extends ConfigEntry> ConfigItem<T> create(ConfigKind<T> kind, T value, String actor) throws Exception {
        ConfigItem<T> item = new ConfigItem<>(kind.name(), value.key(), 1, value, actor, clock.millis());
        try {
            curator.create().creatingParentContainersIfNeeded().forPath(layout.draftItem(kind, value.key()), Json.write(item));
        } catch (KeeperException.NodeExistsException e) {
            throw ApiException.conflict(kind.displayName() + " '" + value.key()
                    + "' already exists; update it with its current version instead");
        }
        return item;
    }

    /** Replaces an entry if its current version is {@code expectedVersion}. */
    public <T extends ConfigEntry> Change<T> update(ConfigKind<T> kind, T value, long expectedVersion, String actor)
            throws Exception {
        String path = layout.draftItem(kind, value.key());
        Stat stat = new Stat();
        byte[] data;
        try {
            data = curator.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            throw ApiException.notFound(kind.displayName() + " '" + value.key() + "' does not exist; create it with POST");
        }
        ConfigItem<T> before = decode(kind, data);
        requireVersion(kind, before, expectedVersion);
        ConfigItem<T> after = new ConfigItem<>(kind.name(), value.key(), before.version() + 1, value, actor, clock.millis());
        try {
            curator.setData().withVersion(stat.getVersion()).forPath(path, Json.write(after));
        } catch (KeeperException.BadVersionException e) {
            throw stale(kind, value.key(), expectedVersion);
        } catch (KeeperException.NoNodeException e) {
            throw ApiException.conflict(kind.displayName() + " '" + value.key() + "' was deleted meanwhile");
        }
        return new Change<>(before, after);
    }

    /** Deletes an entry if its current version is {@code expectedVersion}; returns what was deleted. */
    public <T extends ConfigEntry> ConfigItem<T> delete(ConfigKind<T> kind, String key, long expectedVersion)
            throws Exception {
        String path = layout.draftItem(kind, key);
        Stat stat = new Stat();
        byte[] data;
        try {
            data = curator.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            throw ApiException.notFound(kind.displayName() + " '" + key + "' does not exist");
        }
        ConfigItem<T> before = decode(kind, data);
        requireVersion(kind, before, expectedVersion);
        try {
            curator.delete().withVersion(stat.getVersion()).forPath(path);
        } catch (KeeperException.BadVersionException e) {
            throw stale(kind, key, expectedVersion);
        } catch (KeeperException.NoNodeException e) {
            throw ApiException.conflict(kind.displayName() + " '" + key + "' was deleted meanwhile");
        }
        return before;
    }

    /**
     * Makes the draft of one kind hold exactly {@code target}, whatever the current versions (used by rollback, under
     * the publish lock). Returns how many entries changed.
     */
    public <T extends ConfigEntry> int replaceAll(ConfigKind<T> kind, java.util.Map<String, T> target, String actor)
            throws Exception {
        int changed = 0;
        java.util.Map<String, ConfigItem<T>> current = new java.util.HashMap<>();
        for (ConfigItem<T> item : list(kind)) {
            current.put(item.key(), item);
        }
        for (ConfigItem<T> item : current.values()) {
            if (!target.containsKey(item.key())) {
                try {
                    curator.delete().forPath(layout.draftItem(kind, item.key()));
                } catch (KeeperException.NoNodeException ignored) {
                    // already gone
                }
                changed++;
            }
        }
        for (T value : target.values()) {
            ConfigItem<T> existing = current.get(value.key());
            if (existing == null) {
                ConfigItem<T> item = new ConfigItem<>(kind.name(), value.key(), 1, value, actor, clock.millis());
                curator.create().orSetData().creatingParentContainersIfNeeded()
                        .forPath(layout.draftItem(kind, value.key()), Json.write(item));
                changed++;
            } else if (!existing.value().equals(value)) {
                ConfigItem<T> item = new ConfigItem<>(kind.name(), value.key(), existing.version() + 1, value, actor,
                        clock.millis());
                curator.setData().forPath(layout.draftItem(kind, value.key()), Json.write(item));
                changed++;
            }
        }
        return changed;
    }

    private static <T extends ConfigEntry> void requireVersion(ConfigKind<T> kind, ConfigItem<T> current, long expected) {
        if (current.version() != expected) {
            throw ApiException.conflict(kind.displayName() + " '" + current.key() + "' is at version " + current.version()
                    + ", not " + expected + ": someone changed it since you read it; re-read and apply your change again");
        }
    }

    private static ApiException stale(ConfigKind<?> kind, String key, long expected) {
        return ApiException.conflict(kind.displayName() + " '" + key + "' changed while version " + expected
                + " was being replaced; re-read and apply your change again");
    }

    private static <T extends ConfigEntry> ConfigItem<T> decode(ConfigKind<T> kind, byte[] data) {
        JavaType type = Json.lenient().getTypeFactory().constructParametricType(ConfigItem.class, kind.type());
        return Json.lenient().readValue(data, type);
    }

    /** An update: the item before and after. */
    public record Change<T extends ConfigEntry>(ConfigItem<T> before, ConfigItem<T> after) {
    }
}
