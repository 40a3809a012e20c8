package io.topaz.agent.sync.engine;

import io.topaz.agent.broker.cluster.Rendezvous;
import io.topaz.model.json.Json;
import io.topaz.model.placement.SyncAgentLoad;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The live syncing agents of this agent's cluster (agents started with {@code --orders-db-url}): each keeps an
 * ephemeral node {@code ZkLayout.syncAgent(cluster, agentId)} (re-created after a session loss) whose data is its
 * {@link SyncAgentLoad} (JSON), refreshed by {@link #report}. Agents written before load reports hold their bare id
 * there; {@link #decode} reads both. The rendezvous choice over the members is the fallback placement
 * ({@link SyncPlacements}).
 */
final class SyncMembers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SyncMembers.class);

    private final String path;
    private final String agentId;
    private final PersistentNode node;
    private final CuratorCache cache;
    private volatile boolean initialized;

    SyncMembers(CuratorFramework curator, ZkLayout layout, String cluster, String agentId, SyncAgentLoad first) {
        this.path = layout.syncAgents(cluster);
        this.agentId = agentId;
        this.node = new PersistentNode(curator, CreateMode.EPHEMERAL, false, layout.syncAgent(cluster, agentId),
                Json.write(first));
        this.cache = CuratorCache.build(curator, path);
        cache.listenable().addListener(CuratorCacheListener.builder().forInitialized(() -> initialized = true)
                .build());
    }

    void start() {
        node.start();
        cache.start();
    }

    /** Whether the cache has read the members once (before, {@link #members()} may miss live agents). */
    boolean initialized() {
        return initialized;
    }

    /** Replaces this agent's load report (the node's data); re-created with it after a session loss. */
    void report(SyncAgentLoad load) {
        try {
            node.setData(Json.write(load));
        } catch (Exception e) {
            log.debug("publishing the sync load report failed (next report retries)", e);
        }
    }

    /** The live syncing agents of the cluster; this agent is always among them. */
    Set<String> members() {
        Set<String> out = new TreeSet<>();
        out.add(agentId);
        loads().keySet().forEach(out::add);
        return out;
    }

    /** The members' last load reports, by agent id (an old agent's report has no groups). */
    Map<String, SyncAgentLoad> loads() {
        Map<String, SyncAgentLoad> out = new LinkedHashMap<>();
        for (ChildData d : (Iterable<ChildData>) cache.stream()::iterator) {
            if (!d.getPath().equals(path)) {
                decode(d.getData()).ifPresent(l -> out.put(l.agentId(), l));
            }
        }
        return out;
    }

    /**
     * A member node's data: a {@link SyncAgentLoad} (JSON), or the bare agent id older agents write (a load without
     * groups); empty when neither.
     */
    static Optional<SyncAgentLoad> decode(byte[] data) {
        if (data == null || data.length == 0) {
            return Optional.empty();
        }
        String s = new String(data, StandardCharsets.UTF_8).trim();
        if (!s.startsWith("{")) {
            return s.isEmpty() ? Optional.empty() : Optional.of(new SyncAgentLoad(s, null, null, 0, Map.of()));
        }
        try {
            SyncAgentLoad l = Json.read(data, SyncAgentLoad.class);
            return l.agentId() == null || l.agentId().isEmpty() ? Optional.empty() : Optional.of(l);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The rendezvous choice of (target, group) among {@code live} agents. */
    static String rendezvous(String target, String group, Set<String> live) {
        return Rendezvous.owner(target + "/" + group, live);
    }

    @Override
    public void close() throws Exception {
        cache.close();
        node.close();
    }
}
