package io.topaz.control.config;

import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.audit.AuditOutbox;
import io.topaz.control.web.ApiException;
import io.topaz.control.zk.ZkOps;
import io.topaz.model.config.ConfigEntry;
import io.topaz.model.config.ConfigItem;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JavaType;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The draft: one ZooKeeper node per entry holding a {@link ConfigItem}. Writes are compare-and-set on the node's
 * ZooKeeper version, so two operators (or two control planes) can never overwrite each other silently: the second
 * writer gets a conflict and must re-read.
 *
 * <p>Every write is one ZooKeeper transaction: the entry's operation, the bump of the draft revision
 * ({@link DraftRevision}, checked against the version read, so writes to the draft are totally ordered and a publish
 * can prove it ships the revision the operator reviewed) and the write's audit record in the {@link AuditOutbox}.
 */
@Repository
public class DraftStore {

    /** Draft writes retry when another write took the revision first; this many times before giving up. */
    private static final int MAX_ATTEMPTS = 50;

    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final Clock clock;
    private final AuditOutbox outbox;

    public DraftStore(CuratorFramework curator, ZkLayout layout, Clock clock, AuditOutbox outbox) {
        this.curator = curator;
        this.layout = layout;
        this.clock = clock;
        this.outbox = outbox;
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

    /** The draft's current revision and the revision node's ZooKeeper version (for a check in a transaction). */
    public RevisionRead revision() throws Exception {
        Stat stat = new Stat();
        try {
            byte[] data = curator.getData().storingStatIn(stat).forPath(layout.draftRevision());
            return new RevisionRead(Json.lenient().readValue(data, DraftRevision.class), stat.getVersion());
        } catch (KeeperException.NoNodeException e) {
            try {
                curator.create().creatingParentsIfNeeded().forPath(layout.draftRevision(), Json.write(DraftRevision.initial()));
            } catch (KeeperException.NodeExistsException ignored) {
                // another writer or control plane created it first
            }
            return revision();
        }
    }

    /** The draft revision as read, with the node version a transaction checks to prove the draft did not move. */
    public record RevisionRead(DraftRevision value, int zkVersion) {
        public long number() {
            return value.revision();
        }
    }

    /** The operation that moves the draft to its next revision, failing the transaction if anyone wrote meanwhile. */
    public CuratorOp bumpOp(RevisionRead read, List<DraftRevision.Touch> touched) throws Exception {
        return curator.transactionOp().setData().withVersion(read.zkVersion())
                .forPath(layout.draftRevision(), Json.write(read.value().next(touched)));
    }

    /** The operation that fails the transaction if the draft moved since {@code read}. */
    public CuratorOp checkOp(RevisionRead read) throws Exception {
        return curator.transactionOp().check().withVersion(read.zkVersion()).forPath(layout.draftRevision());
    }

    public <T extends ConfigEntry> ConfigItem<T> create(ConfigKind<T> kind, T value, String actor) throws Exception {
        String path = layout.draftItem(kind, value.key());
        for (int attempt = 1; ; attempt++) {
            RevisionRead rev = revision();
            ConfigItem<T> item = new ConfigItem<>(kind.name(), value.key(), 1, value, actor, clock.millis());
            curator.createContainers(layout.draftKind(kind));
            AuditOutbox.Entry audit = outbox.entry(actor, AuditAction.CREATE, kind.name(), item.key(), null, 1L,
                    AuditLog.detail("after", value));
            try {
                commit(List.of(curator.transactionOp().create().forPath(path, Json.write(item)),
                        bumpOp(rev, List.of(touch(kind, item.key()))), outbox.op(audit)));
                return item;
            } catch (KeeperException e) {
                int failed = failedOp(e);
                if (failed == 0 && e.code() == KeeperException.Code.NODEEXISTS) {
                    throw ApiException.conflict(kind.displayName() + " '" + value.key()
                            + "' already exists; update it with its current version instead");
                }
                retryOrThrow(e, attempt); // another draft write took this revision, or the kind's parent vanished
            }
        }
    }

    /** Replaces an entry if its current version is {@code expectedVersion}. */
    public <T extends ConfigEntry> Change<T> update(ConfigKind<T> kind, T value, long expectedVersion, String actor)
            throws Exception {
        String path = layout.draftItem(kind, value.key());
        for (int attempt = 1; ; attempt++) {
            RevisionRead rev = revision();
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
            AuditOutbox.Entry audit = outbox.entry(actor, AuditAction.UPDATE, kind.name(), value.key(), null,
                    after.version(), AuditLog.detail("before", before.value(), "after", value));
            try {
                commit(List.of(curator.transactionOp().setData().withVersion(stat.getVersion()).forPath(path, Json.write(after)),
                        bumpOp(rev, List.of(touch(kind, value.key()))), outbox.op(audit)));
                return new Change<>(before, after);
            } catch (KeeperException e) {
                if (failedOp(e) == 0) {
                    if (e.code() == KeeperException.Code.NONODE) {
                        throw ApiException.conflict(kind.displayName() + " '" + value.key() + "' was deleted meanwhile");
                    }
                    throw stale(kind, value.key(), expectedVersion);
                }
                retryOrThrow(e, attempt);
            }
        }
    }

    /** Deletes an entry if its current version is {@code expectedVersion}; returns what was deleted. */
    public <T extends ConfigEntry> ConfigItem<T> delete(ConfigKind<T> kind, String key, long expectedVersion, String actor)
            throws Exception {
        String path = layout.draftItem(kind, key);
        for (int attempt = 1; ; attempt++) {
            RevisionRead rev = revision();
            Stat stat = new Stat();
            byte[] data;
            try {
                data = curator.getData().storingStatIn(stat).forPath(path);
            } catch (KeeperException.NoNodeException e) {
                throw ApiException.notFound(kind.displayName() + " '" + key + "' does not exist");
            }
            ConfigItem<T> before = decode(kind, data);
            requireVersion(kind, before, expectedVersion);
            AuditOutbox.Entry audit = outbox.entry(actor, AuditAction.DELETE, kind.name(), key, null, before.version(),
                    AuditLog.detail("before", before.value()));
            try {
                commit(List.of(curator.transactionOp().delete().withVersion(stat.getVersion()).forPath(path),
                        bumpOp(rev, List.of(touch(kind, key))), outbox.op(audit)));
                return before;
            } catch (KeeperException e) {
                if (failedOp(e) == 0) {
                    if (e.code() == KeeperException.Code.NONODE) {
                        throw ApiException.conflict(kind.displayName() + " '" + key + "' was deleted meanwhile");
                    }
                    throw stale(kind, key, expectedVersion);
                }
                retryOrThrow(e, attempt);
            }
        }
    }

    /**
     * The versioned operations that make the draft hold exactly {@code target} (used by rollback): each delete and
     * update names the version it read, so a save that lands after this read fails the rollback's transaction instead
     * of being overwritten. {@code touched} lists what the operations change.
     */
    public Reset planReset(ConfigSnapshot target, String actor) throws Exception {
        List<CuratorOp> ops = new ArrayList<>();
        List<DraftRevision.Touch> touched = new ArrayList<>();
        for (ConfigKind<?> kind : ConfigKind.all()) {
            planReset(kind, target, actor, ops, touched);
        }
        return new Reset(ops, touched);
    }

    /** A planned draft reset: its operations and the entries they change. */
    public record Reset(List<CuratorOp> ops, List<DraftRevision.Touch> touched) {
    }

    private <T extends ConfigEntry> void planReset(ConfigKind<T> kind, ConfigSnapshot content, String actor,
                                                   List<CuratorOp> ops, List<DraftRevision.Touch> touched) throws Exception {
        Map<String, T> target = content.items(kind);
        Map<String, Versioned<T>> current = new HashMap<>();
        for (Versioned<T> v : listVersioned(kind)) {
            current.put(v.item().key(), v);
        }
        List<String> keys = new ArrayList<>(current.keySet());
        keys.sort(Comparator.naturalOrder());
        for (String key : keys) {
            if (!target.containsKey(key)) {
                ops.add(curator.transactionOp().delete().withVersion(current.get(key).zkVersion())
                        .forPath(layout.draftItem(kind, key)));
                touched.add(touch(kind, key));
            }
        }
        List<T> values = new ArrayList<>(target.values());
        values.sort(Comparator.comparing(ConfigEntry::key));
        for (T value : values) {
            Versioned<T> existing = current.get(value.key());
            String path = layout.draftItem(kind, value.key());
            if (existing == null) {
                curator.createContainers(layout.draftKind(kind));
                ConfigItem<T> item = new ConfigItem<>(kind.name(), value.key(), 1, value, actor, clock.millis());
                ops.add(curator.transactionOp().create().forPath(path, Json.write(item)));
                touched.add(touch(kind, value.key()));
            } else if (!existing.item().value().equals(value)) {
                ConfigItem<T> item = new ConfigItem<>(kind.name(), value.key(), existing.item().version() + 1, value,
                        actor, clock.millis());
                ops.add(curator.transactionOp().setData().withVersion(existing.zkVersion()).forPath(path, Json.write(item)));
                touched.add(touch(kind, value.key()));
            }
        }
    }

    private record Versioned<T extends ConfigEntry>(ConfigItem<T> item, int zkVersion) {
    }

    private <T extends ConfigEntry> List<Versioned<T>> listVersioned(ConfigKind<T> kind) throws Exception {
        List<String> children;
        try {
            children = curator.getChildren().forPath(layout.draftKind(kind));
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
        List<String> paths = children.stream().map(c -> layout.draftKind(kind) + "/" + c).toList();
        List<Versioned<T>> items = new ArrayList<>(paths.size());
        for (ZkOps.Node node : ZkOps.readAll(curator, paths)) {
            items.add(new Versioned<>(decode(kind, node.data()), node.version()));
        }
        return items;
    }

    private void commit(List<CuratorOp> ops) throws Exception {
        curator.transaction().forOperations(ops);
    }

    /**
     * Which operation of a failed transaction failed (ZooKeeper reports the others as OK or as rolled back), or -1.
     */
    public static int failedOp(KeeperException e) {
        List<OpResult> results = e.getResults();
        if (results == null) {
            return -1;
        }
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof OpResult.ErrorResult err
                    && err.getErr() != KeeperException.Code.OK.intValue()
                    && err.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                return i;
            }
        }
        return -1;
    }

    /** A write lost the race for the revision (or its kind's container vanished): retry, a bounded number of times. */
    private static void retryOrThrow(KeeperException e, int attempt) throws KeeperException {
        if (attempt >= MAX_ATTEMPTS || (e.code() != KeeperException.Code.BADVERSION
                && e.code() != KeeperException.Code.NONODE)) {
            throw e;
        }
    }

    private static DraftRevision.Touch touch(ConfigKind<?> kind, String key) {
        return new DraftRevision.Touch(0, kind.name(), key);
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
