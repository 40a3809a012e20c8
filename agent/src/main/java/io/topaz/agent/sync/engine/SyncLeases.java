package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.Fence;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ZooKeeper leases of (target, seller group), under the agents' part of the tree:
 *
 * <pre>
 * {root}/broker/sync/groups/{target}/{group}/lease   ephemeral: the holder's agent id
 *                                           /epoch   a decimal counter, raised by compare-and-set by each new holder
 *                                           /state   the {@link GroupState} (backfill progress, reconciled-to)
 * </pre>
 *
 * An agent holds a group while its ephemeral {@code lease} node lives (its session); each acquisition raises the
 * epoch, which fences every target write ({@link Fence}), so a holder that lost its session can no longer write even
 * if it does not know yet. A ZooKeeper connection suspended or lost invalidates every lease held here at once.
 */
final class SyncLeases implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SyncLeases.class);

    private final CuratorFramework curator;
    private final String base;
    private final String agentId;
    private final Set<Lease> held = ConcurrentHashMap.newKeySet();
    private final ConnectionStateListener listener = this::stateChanged;

    SyncLeases(CuratorFramework curator, ZkLayout layout, String agentId) {
        this.curator = curator;
        this.base = layout.broker() + "/sync/groups";
        this.agentId = agentId;
        curator.getConnectionStateListenable().addListener(listener);
    }

    /** A held lease; {@link #valid()} turns false for good when the session may have ended. */
    final class Lease {
        final Fence fence;
        private final String path;
        private volatile boolean valid = true;

        private Lease(Fence fence, String path) {
            this.fence = fence;
            this.path = path;
        }

        boolean valid() {
            return valid;
        }

        GroupState state() throws Exception {
            try {
                byte[] b = curator.getData().forPath(path + "/state");
                return b == null || b.length == 0 ? GroupState.initial() : Json.read(b, GroupState.class);
            } catch (KeeperException.NoNodeException e) {
                return GroupState.initial();
            }
        }

        void state(GroupState s) throws Exception {
            byte[] b = Json.write(s);
            try {
                curator.setData().forPath(path + "/state", b);
            } catch (KeeperException.NoNodeException e) {
                curator.create().creatingParentsIfNeeded().forPath(path + "/state", b);
            }
        }

        /** Gives the group up: deletes the lease node (only if still this session's). */
        void release() {
            valid = false;
            held.remove(this);
            try {
                Stat stat = curator.checkExists().forPath(path + "/lease");
                if (stat != null && stat.getEphemeralOwner() == sessionId()) {
                    curator.delete().withVersion(stat.getVersion()).forPath(path + "/lease");
                }
            } catch (Exception e) {
                log.debug("releasing the sync lease {} failed (the session's end frees it)", path, e);
            }
        }
    }

    /**
     * Takes the lease of (target, group) if nobody holds it; empty when another session holds it. Fails when
     * ZooKeeper cannot be reached.
     */
    Optional<Lease> acquire(String target, String group) throws Exception {
        String path = base + "/" + ZkLayout.encodeKey(target) + "/" + ZkLayout.encodeKey(group);
        long session = sessionId();
        try {
            curator.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(path + "/lease", agentId.getBytes(StandardCharsets.UTF_8));
        } catch (KeeperException.NodeExistsException e) {
            Stat stat = curator.checkExists().forPath(path + "/lease");
            if (stat == null || stat.getEphemeralOwner() != session) {
                return Optional.empty(); // another holder, or this agent's previous session not yet expired
            }
        }
        long epoch = nextEpoch(path + "/epoch");
        Lease lease = new Lease(new Fence(target, group, epoch, agentId), path);
        held.add(lease);
        log.info("sync lease of target {} group {} taken at epoch {}", target, group, epoch);
        return Optional.of(lease);
    }

    /** Who holds (target, group) now, or empty. */
    Optional<String> holder(String target, String group) throws Exception {
        String path = base + "/" + ZkLayout.encodeKey(target) + "/" + ZkLayout.encodeKey(group) + "/lease";
        try {
            return Optional.of(new String(curator.getData().forPath(path), StandardCharsets.UTF_8));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    private long nextEpoch(String path) throws Exception {
        while (true) {
            Stat stat = new Stat();
            byte[] b;
            try {
                b = curator.getData().storingStatIn(stat).forPath(path);
            } catch (KeeperException.NoNodeException e) {
                try {
                    curator.create().creatingParentsIfNeeded().forPath(path, "1".getBytes(StandardCharsets.UTF_8));
                    return 1;
                } catch (KeeperException.NodeExistsException raced) {
                    continue;
                }
            }
            long next = Long.parseLong(new String(b, StandardCharsets.UTF_8).trim()) + 1;
            try {
                curator.setData().withVersion(stat.getVersion())
                        .forPath(path, Long.toString(next).getBytes(StandardCharsets.UTF_8));
                return next;
            } catch (KeeperException.BadVersionException raced) {
                // another holder moved it first: read again
            }
        }
    }

    private long sessionId() throws Exception {
        return curator.getZookeeperClient().getZooKeeper().getSessionId();
    }

    private void stateChanged(CuratorFramework client, ConnectionState state) {
        if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
            for (Lease l : held) {
                l.valid = false;
            }
            if (!held.isEmpty()) {
                log.warn("ZooKeeper connection {}: giving up {} sync lease(s); they are taken again when it returns",
                        state, held.size());
            }
            held.clear();
        }
    }

    @Override
    public void close() {
        curator.getConnectionStateListenable().removeListener(listener);
        for (Lease l : held) {
            l.release();
        }
    }
}
