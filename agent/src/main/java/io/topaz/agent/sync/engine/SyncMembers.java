package io.topaz.agent.sync.engine;

import io.topaz.agent.broker.cluster.Rendezvous;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/**
 * The live syncing agents of this agent's cluster (agents started with {@code --orders-db-url}): each keeps an
 * ephemeral node {@code {root}/broker/sync/agents/{cluster}/{agentId}} (re-created after a session loss), and
 * placement picks one of them per (target, group) by rendezvous hashing, so every agent computes the same holder
 * without coordination. The lease, not placement, guarantees one holder at a time.
 */
final class SyncMembers implements AutoCloseable {

    private final String path;
    private final String agentId;
    private final PersistentNode node;
    private final CuratorCache cache;

    SyncMembers(CuratorFramework curator, ZkLayout layout, String cluster, String agentId) {
        this.path = layout.broker() + "/sync/agents/" + ZkLayout.encodeKey(cluster);
        this.agentId = agentId;
        this.node = new PersistentNode(curator, CreateMode.EPHEMERAL, false, path + "/" + ZkLayout.encodeKey(agentId),
                agentId.getBytes(StandardCharsets.UTF_8));
        this.cache = CuratorCache.build(curator, path);
    }

    void start() {
        node.start();
        cache.start();
    }

    /** The live syncing agents of the cluster; this agent is always among them. */
    Set<String> members() {
        Set<String> out = new TreeSet<>();
        out.add(agentId);
        for (ChildData d : (Iterable<ChildData>) cache.stream()::iterator) {
            if (!d.getPath().equals(path) && d.getData() != null && d.getData().length > 0) {
                out.add(new String(d.getData(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Whether this agent is the one that should sync (target, group). */
    boolean mine(String target, String group) {
        return agentId.equals(Rendezvous.owner(target + "/" + group, members()));
    }

    @Override
    public void close() throws Exception {
        cache.close();
        node.close();
    }
}
