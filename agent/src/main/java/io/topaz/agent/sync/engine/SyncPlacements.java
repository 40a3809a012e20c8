package io.topaz.agent.sync.engine;

import io.topaz.model.json.Json;
import io.topaz.model.placement.GroupPlacement;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.Set;

/**
 * The seller groups' runtime placements ({@link GroupPlacement}, JSON under {@code ZkLayout.syncPlacements()}, written
 * by the control plane's leader), watched with a {@link CuratorCache}, and the decision which agent of a cluster
 * should sync a (target, group):
 *
 * <ol>
 *   <li>a placement in this cluster naming a live syncing agent: that agent, for all the group's targets;</li>
 *   <li>otherwise — no placement yet (no control plane leader has placed the group, or an older control plane that
 *       places nothing), a placement left from the group's previous cluster, or a placed agent that is not live — the
 *       rendezvous choice over the cluster's live syncing agents ({@link SyncMembers}), as before placements existed,
 *       so a group is synced even while no leader places it.</li>
 * </ol>
 *
 * Agents may disagree for a moment (their caches are not updated at the same instant); the lease, not this decision,
 * keeps two agents from syncing a group at once.
 */
final class SyncPlacements implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SyncPlacements.class);

    private final String path;
    private final CuratorCache cache;
    private volatile boolean initialized;

    SyncPlacements(CuratorFramework curator, ZkLayout layout) {
        this.path = layout.syncPlacements();
        this.cache = CuratorCache.build(curator, path);
        cache.listenable().addListener(CuratorCacheListener.builder().forInitialized(() -> initialized = true)
                .build());
    }

    void start() {
        cache.start();
    }

    /** Whether the cache has read the placements once (before, every group would fall back to rendezvous). */
    boolean initialized() {
        return initialized;
    }

    /** The placement of {@code group}, or empty when none is readable. */
    Optional<GroupPlacement> of(String group) {
        Optional<ChildData> d = cache.get(path + "/" + ZkLayout.encodeKey(group));
        if (d.isEmpty() || d.get().getData() == null || d.get().getData().length == 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.read(d.get().getData(), GroupPlacement.class));
        } catch (RuntimeException e) {
            log.warn("sync placement of group {} is unreadable; falling back to rendezvous", group, e);
            return Optional.empty();
        }
    }

    /**
     * The agent of {@code cluster} that should sync (target, group): the placed one when the placement applies, else
     * the rendezvous choice among {@code live}.
     */
    String owner(String target, String group, String cluster, Set<String> live) {
        Optional<GroupPlacement> p = of(group);
        if (p.isPresent() && cluster.equals(p.get().cluster()) && live.contains(p.get().agent())) {
            return p.get().agent();
        }
        return SyncMembers.rendezvous(target, group, live);
    }

    /** Whether the owner comes from a placement (true) or the rendezvous fallback. */
    boolean placed(String group, String cluster, Set<String> live) {
        Optional<GroupPlacement> p = of(group);
        return p.isPresent() && cluster.equals(p.get().cluster()) && live.contains(p.get().agent());
    }

    @Override
    public void close() {
        cache.close();
    }
}
