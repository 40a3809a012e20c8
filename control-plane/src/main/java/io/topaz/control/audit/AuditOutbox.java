package io.topaz.control.audit;

import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/**
 * The audit records of ZooKeeper changes (draft writes, publishes, rollbacks). The audit log lives in the database and
 * the change in ZooKeeper, and no transaction spans both; so the record is written as a node under
 * {@link ZkLayout#auditOutbox()} in the change's own ZooKeeper transaction, and then moved into the database by
 * {@link #replay()}: right after each write, on start, and — on the leading control plane — every
 * {@code topaz.audit.outbox-replay-interval} and at once when it takes over ({@code io.topaz.control.ha.SingletonTasks}). A change
 * thus never commits without its record, and a crash between the two stores only delays the row. The move is
 * idempotent (each record carries a unique id, {@link AuditLog#recordOnce}), so replays on two control planes, or a
 * replay interrupted between insert and node delete, still leave exactly one row per change.
 */
@Component
public class AuditOutbox {

    private static final Logger log = LoggerFactory.getLogger(AuditOutbox.class);

    /** One audit record waiting in the outbox; {@code detail} is JSON text, {@code id} makes the move idempotent. */
    public record Entry(String id, long atMillis, String actor, AuditAction action, String kind, String key,
                        Long release, Long itemVersion, String detail) {
    }

    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final AuditLog audit;
    private final Clock clock;
    private volatile boolean parentExists;

    public AuditOutbox(CuratorFramework curator, ZkLayout layout, AuditLog audit, Clock clock) {
        this.curator = curator;
        this.layout = layout;
        this.audit = audit;
        this.clock = clock;
    }

    /** A record of a change happening now; {@code detail} is serialized as JSON. */
    public Entry entry(String actor, AuditAction action, String kind, String key, Long release, Long itemVersion,
                       Object detail) {
        return new Entry(UUID.randomUUID().toString(), clock.millis(), actor, action, kind, key, release, itemVersion,
                detail == null ? null : new String(Json.write(detail), StandardCharsets.UTF_8));
    }

    /** The operation that puts {@code entry} in the outbox; add it to the change's transaction. */
    public CuratorOp op(Entry entry) throws Exception {
        ensureParent();
        return curator.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(layout.auditOutboxPrefix(), Json.write(entry));
    }

    /**
     * Moves every outbox record into the audit table, oldest first, and returns how many rows it inserted. Never
     * throws: a record that cannot be moved now (database down) stays in the outbox for the next replay.
     */
    public synchronized int replay() {
        int inserted = 0;
        try {
            List<String> children;
            try {
                children = curator.getChildren().forPath(layout.auditOutbox());
            } catch (KeeperException.NoNodeException e) {
                return 0;
            }
            for (String child : children.stream().sorted().toList()) {
                String path = layout.auditOutbox() + "/" + child;
                byte[] data;
                try {
                    data = curator.getData().forPath(path);
                } catch (KeeperException.NoNodeException movedByAnother) {
                    continue;
                }
                if (audit.recordOnce(Json.lenient().readValue(data, Entry.class))) {
                    inserted++;
                }
                try {
                    curator.delete().forPath(path);
                } catch (KeeperException.NoNodeException movedByAnother) {
                    // another control plane moved it too; its id kept the row single
                }
            }
        } catch (Exception e) {
            log.warn("audit outbox: cannot move records into the audit log yet ({}); they stay in ZooKeeper for the "
                    + "next replay", e.toString());
        }
        return inserted;
    }

    /** How many records wait in the outbox (0 when none, or the parent does not exist yet). */
    public int pending() throws Exception {
        try {
            return curator.getChildren().forPath(layout.auditOutbox()).size();
        } catch (KeeperException.NoNodeException e) {
            return 0;
        }
    }

    @EventListener(ApplicationReadyEvent.class)
    void replayOnStart() {
        int n = replay();
        if (n > 0) {
            log.info("audit outbox: moved {} records left by an earlier run into the audit log", n);
        }
    }

    /** A persistent parent (a container would vanish when empty and fail the next transaction). */
    private void ensureParent() throws Exception {
        if (!parentExists) {
            try {
                curator.create().creatingParentsIfNeeded().forPath(layout.auditOutbox());
            } catch (KeeperException.NodeExistsException ignored) {
                // created earlier or by another control plane
            }
            parentExists = true;
        }
    }
}
