package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.SellerPermits;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's sellers per seller group: each target app's permitted sellers ({@link PermittedSellers}) split by the
 * group that syncs them (the config's {@link SyncConfig#groupOf}: pins first), the split kept while the app's list and
 * the config are the same instances (so not redone on every control tick), and handed to a running group only when
 * its sellers changed ({@link #offer}). Used by the engine's control loop.
 */
final class SellersByGroup {

    /** An app's sellers by group, as last split: kept while the list and the config are the same instances. */
    private record Grouped(List<SellerPermits.Seller> sellers, SyncConfig config,
                           Map<String, List<SellerPermits.Seller>> byGroup) {
    }

    private final PermittedSellers permitted;
    private final Map<String, Grouped> grouped = new ConcurrentHashMap<>();

    SellersByGroup(PermittedSellers permitted) {
        this.permitted = permitted;
    }

    /** The app's permitted sellers by the group that syncs them; empty until the app's list has been read once. */
    Optional<Map<String, List<SellerPermits.Seller>>> of(String appKey, SyncConfig config) {
        return permitted.current(appKey).map(l -> grouped(appKey, config, l));
    }

    /** Forgets the apps no longer synced. */
    void retain(Set<String> apps) {
        permitted.retain(apps);
        grouped.keySet().retainAll(apps);
    }

    /** {@link #byGroup}, split again only when the app's list or the config changed (not on every control tick). */
    private Map<String, List<SellerPermits.Seller>> grouped(String appKey, SyncConfig config,
                                                           List<SellerPermits.Seller> all) {
        Grouped g = grouped.get(appKey);
        if (g == null || g.sellers() != all || g.config() != config) {
            g = new Grouped(all, config, byGroup(config, all));
            grouped.put(appKey, g);
        }
        return g.byGroup();
    }

    private static Map<String, List<SellerPermits.Seller>> byGroup(SyncConfig config, List<SellerPermits.Seller> all) {
        Map<String, List<SellerPermits.Seller>> out = new HashMap<>();
        for (SellerPermits.Seller s : all) {
            config.groupOf(s.userId()).ifPresent(g -> out.computeIfAbsent(g, k -> new ArrayList<>()).add(s));
        }
        return out;
    }

    /** Hands a running group its sellers when they changed. */
    static void offer(GroupSync sync, List<SellerPermits.Seller> sellers) {
        Map<Long, String> now = sync.scope().sellers();
        boolean same = now.size() == sellers.size();
        for (int i = 0; same && i < sellers.size(); i++) {
            same = sellers.get(i).nick().equals(now.get(sellers.get(i).userId()));
        }
        if (!same) {
            sync.sellers(sellers);
        }
    }
}
