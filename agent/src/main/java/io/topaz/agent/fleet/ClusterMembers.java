package io.topaz.agent.fleet;

import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.util.function.IntSupplier;

/**
 * How many live agents with a gateway the agent's cluster has now, from the agents' ephemeral registrations (a {@link CuratorCache}
 * on the agents' node). Traffic control divides a limit by it to get this agent's share. Until ZooKeeper answers,
 * and if the count would be 0, it is 1: an agent never takes less than the whole limit for lack of information.
 */
public final class ClusterMembers implements IntSupplier, Closeable {

    private static final Logger log = LoggerFactory.getLogger(ClusterMembers.class);

    private final String cluster;
    private final String agentsPath;
    private final CuratorCache cache;
    private volatile int count = 1;

    public ClusterMembers(CuratorFramework curator, ZkLayout layout, String cluster) {
        this.cluster = cluster;
        this.agentsPath = layout.agents();
        this.cache = CuratorCache.build(curator, agentsPath);
        cache.listenable().addListener((type, before, after) -> recount());
    }

    public void start() {
        cache.start();
    }

    private void recount() {
        int n = 0;
        for (ChildData d : (Iterable<ChildData>) cache.stream()::iterator) {
            if (d.getPath().equals(agentsPath) || d.getData() == null || d.getData().length == 0) {
                continue;
            }
            try {
                AgentInfo info = Json.read(d.getData(), AgentInfo.class);
                if (cluster.equals(info.cluster()) && info.ports() != null && info.ports().containsKey("gateway")) {
                    n++;
                }
            } catch (RuntimeException e) {
                log.debug("unreadable agent registration {}", d.getPath(), e);
            }
        }
        int next = Math.max(1, n);
        if (next != count) {
            log.info("cluster {} has {} live agents; local shares of cluster limits are 1/{}", cluster, next, next);
            count = next;
        }
    }

    @Override
    public int getAsInt() {
        return count;
    }

    @Override
    public void close() {
        cache.close();
    }
}
