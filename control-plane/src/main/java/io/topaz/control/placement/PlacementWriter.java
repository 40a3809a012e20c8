package io.topaz.control.placement;

import io.topaz.control.audit.AuditAction;
import io.topaz.control.audit.AuditLog;
import io.topaz.control.audit.AuditOutbox;
import io.topaz.model.json.Json;
import io.topaz.model.placement.GroupPlacement;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;

/**
 * Writes one placement with its audit record in one ZooKeeper transaction: a create when the group has no placement,
 * else a set guarded by the version the decision was made on — never a blind overwrite, so a concurrent change (an
 * operator's move, another pass) wins and this write reports the conflict. The record (action {@code PLACEMENT}, kind
 * {@value #KIND}, key the group) goes through the audit outbox like every ZooKeeper change.
 */
public final class PlacementWriter {

    /** The audit kind of placement changes. */
    public static final String KIND = "placements";

    private final CuratorFramework curator;
    private final ZkLayout layout;
    private final AuditOutbox outbox;
    private final PlacementMetrics metrics;
    private volatile boolean parentExists;

    public PlacementWriter(CuratorFramework curator, ZkLayout layout, AuditOutbox outbox, PlacementMetrics metrics) {
        this.curator = curator;
        this.layout = layout;
        this.outbox = outbox;
        this.metrics = metrics;
    }

    /**
     * Writes {@code to}, expecting the group's node at {@code version} (-1: expecting none). Returns false when the
     * node changed meanwhile (or was created, or deleted); the audit record is then not written either.
     */
    public boolean write(GroupPlacement to, int version, String actor) throws Exception {
        ensureParent();
        String path = layout.syncPlacement(to.group());
        byte[] data = Json.write(to);
        CuratorOp op = version < 0 ? curator.transactionOp().create().forPath(path, data)
                : curator.transactionOp().setData().withVersion(version).forPath(path, data);
        AuditOutbox.Entry entry = outbox.entry(actor, AuditAction.PLACEMENT, KIND, to.group(), null, to.generation(),
                AuditLog.detail("cluster", to.cluster(), "agent", to.agent(), "previousAgent", to.previousAgent(),
                        "reason", to.reason(), "generation", to.generation()));
        try {
            curator.transaction().forOperations(op, outbox.op(entry));
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException
                 | KeeperException.NoNodeException e) {
            return false;
        }
        metrics.placed(to.reason(), to.sinceMillis());
        return true;
    }

    /** The group's placement as ZooKeeper holds it now, with its node's version; empty when it has none. */
    public java.util.Optional<PlacementCaches.Placed> read(String group) throws Exception {
        org.apache.zookeeper.data.Stat stat = new org.apache.zookeeper.data.Stat();
        try {
            byte[] data = curator.getData().storingStatIn(stat).forPath(layout.syncPlacement(group));
            return java.util.Optional.of(new PlacementCaches.Placed(Json.lenient().readValue(data, GroupPlacement.class),
                    stat.getVersion()));
        } catch (KeeperException.NoNodeException e) {
            return java.util.Optional.empty();
        }
    }

    /** Moves the audit records of the writes so far into the audit log (never throws; see {@link AuditOutbox}). */
    public void flushAudit() {
        outbox.replay();
    }

    private void ensureParent() throws Exception {
        if (!parentExists) {
            try {
                curator.create().creatingParentsIfNeeded().forPath(layout.syncPlacements());
            } catch (KeeperException.NodeExistsException ignored) {
                // created earlier or by another control plane
            }
            parentExists = true;
        }
    }
}
