package io.topaz.control.placement;

import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import io.topaz.model.placement.GroupPlacement;
import io.topaz.model.placement.SyncAgentLoad;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watched in-memory views of what placement reads from ZooKeeper: the syncing agents' ephemeral nodes under
 * {@code broker/sync/agents/{cluster}/{agentId}} (data: a {@link SyncAgentLoad}, or the bare agent id of agents written
 * before load reports), the agents' registrations (for the zone of an agent whose sync node has none), the placements
 * under {@link ZkLayout#syncPlacements()}, and the live release's node. Every change runs the listeners (on Curator's
 * event thread: they must only hand work off) — for the agents' nodes only their creation and deletion.
 */
public final class PlacementCaches implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(PlacementCaches.class);

    /** A live syncing agent as its node says; {@code load} null when the node holds only its id. */
    public record SyncAgent(String cluster, String id, String zone, SyncAgentLoad load) {
    }

    /** A placement and its node's version, for the compare-and-set that replaces it. */
    public record Placed(GroupPlacement placement, int version) {
    }

    private final ZkLayout layout;
    private final String syncAgentsRoot;
    private final List<CuratorCache> caches;
    private final CuratorCache agents;
    private final CuratorCache syncAgents;
    private final CuratorCache placements;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger initialized = new AtomicInteger();

    public PlacementCaches(CuratorFramework curator, ZkLayout layout) {
        this.layout = layout;
        String one = layout.syncAgents("x");
        this.syncAgentsRoot = one.substring(0, one.lastIndexOf('/'));
        this.agents = CuratorCache.build(curator, layout.agents());
        this.syncAgents = CuratorCache.build(curator, syncAgentsRoot);
        this.placements = CuratorCache.build(curator, layout.syncPlacements());
        CuratorCache live = CuratorCache.build(curator, layout.live(), CuratorCache.Options.SINGLE_NODE_CACHE);
        this.caches = List.of(agents, syncAgents, placements, live);
    }

    /** Runs {@code listener} after every change once all views are loaded (and once when they are). */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    public void start() {
        for (CuratorCache c : caches) {
            org.apache.curator.framework.recipes.cache.CuratorCacheListenerBuilder b = CuratorCacheListener.builder();
            if (c == agents || c == syncAgents) {
                // an agent come or gone; their data (load reports every few seconds, applied releases) changes often
                // and matters only to rebalancing, which the periodic passes do
                b.forCreates(node -> changed()).forDeletes(node -> changed());
            } else {
                b.forAll((type, before, after) -> changed());
            }
            c.listenable().addListener(b.forInitialized(() -> {
                initialized.incrementAndGet();
                changed();
            }).build());
            c.start();
        }
    }

    /** Whether every view has loaded what ZooKeeper held at start. */
    public boolean ready() {
        return initialized.get() >= caches.size();
    }

    private void changed() {
        if (!ready()) {
            return;
        }
        for (Runnable l : listeners) {
            l.run();
        }
    }

    /** The live syncing agents of every cluster, sorted by cluster then id. */
    public List<SyncAgent> syncAgents() {
        Map<String, String> zones = new HashMap<>();
        agents.stream().filter(d -> isChild(d, layout.agents(), 1)).forEach(d -> {
            try {
                AgentInfo info = Json.read(d.getData(), AgentInfo.class);
                zones.put(info.id(), info.zone());
            } catch (RuntimeException e) {
                // an unreadable registration: the fleet view reports it; here the agent just has no known zone
            }
        });
        List<SyncAgent> out = new ArrayList<>();
        syncAgents.stream().filter(d -> isChild(d, syncAgentsRoot, 2)).forEach(d -> {
            String[] parts = d.getPath().substring(syncAgentsRoot.length() + 1).split("/");
            String cluster = ZkLayout.decodeKey(parts[0]);
            String id = ZkLayout.decodeKey(parts[1]);
            SyncAgentLoad load = load(d);
            String zone = load != null && load.zone() != null && !load.zone().isBlank() ? load.zone() : zones.get(id);
            out.add(new SyncAgent(cluster, id, zone, load));
        });
        out.sort(Comparator.comparing(SyncAgent::cluster).thenComparing(SyncAgent::id));
        return out;
    }

    /** The current placements by group. */
    public Map<String, Placed> placements() {
        Map<String, Placed> out = new TreeMap<>();
        placements.stream().filter(d -> isChild(d, layout.syncPlacements(), 1)).forEach(d -> {
            try {
                GroupPlacement p = Json.lenient().readValue(d.getData(), GroupPlacement.class);
                out.put(p.group(), new Placed(p, d.getStat().getVersion()));
            } catch (RuntimeException e) {
                log.warn("placement node {} holds unreadable data; ignored: {}", d.getPath(), e.toString());
            }
        });
        return out;
    }

    private static SyncAgentLoad load(ChildData d) {
        byte[] data = d.getData();
        if (data == null || data.length == 0 || data[0] != '{') {
            return null; // an agent written before load reports: its node holds its id
        }
        try {
            return Json.lenient().readValue(data, SyncAgentLoad.class);
        } catch (RuntimeException e) {
            log.debug("sync agent node {} holds no readable load report: {}", d.getPath(), e.toString());
            return null;
        }
    }

    private static boolean isChild(ChildData d, String parent, int depth) {
        String p = d.getPath();
        if (!p.startsWith(parent + "/") || d.getData() == null) {
            return false;
        }
        return p.substring(parent.length() + 1).split("/").length == depth;
    }

    @Override
    public void close() {
        caches.forEach(CuratorCache::close);
    }
}
