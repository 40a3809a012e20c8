package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.BucketRange;
import io.topaz.model.config.AgentCluster;
import io.topaz.model.config.Assignment;
import io.topaz.model.config.ConfigEntry;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.config.SyncTarget;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The order-sync part of a release: the sync targets (config kind {@code sync-targets}), the seller groups' bucket
 * ranges and the cluster each group is assigned to. The kind is looked up by name, so a release without it has no
 * targets.
 *
 * @param groups   bucket range by range seller group
 * @param clusters assigned cluster by seller group
 * @param pinned   pin group by pinned seller (TOP user id): a pinned seller is synced by its pin group only, and the
 *                 range group of its bucket leaves it out ({@code SellerGroups.groupOf})
 * @param budgets  each agent cluster's connection budget towards each sync target ({@code syncConnections}); a
 *                 cluster not listed has {@link AgentCluster#DEFAULT_SYNC_CONNECTIONS}
 */
public record SyncConfig(List<SyncTarget> targets, Map<String, BucketRange> groups, Map<String, String> clusters,
                         Map<Long, String> pinned, Map<String, Integer> budgets) {

    /** The config kind's name in REST and ZooKeeper paths. */
    public static final String KIND = "sync-targets";

    public SyncConfig {
        targets = List.copyOf(targets);
        groups = Map.copyOf(groups);
        clusters = Map.copyOf(clusters);
        pinned = pinned == null ? Map.of() : Map.copyOf(pinned);
        budgets = budgets == null ? Map.of() : Map.copyOf(budgets);
    }

    /** Range groups only (no pins), every cluster with the default budget. */
    public SyncConfig(List<SyncTarget> targets, Map<String, BucketRange> groups, Map<String, String> clusters) {
        this(targets, groups, clusters, Map.of(), Map.of());
    }

    public static SyncConfig of(ConfigSnapshot config) {
        Optional<ConfigKind<?>> kind = ConfigKind.byName(KIND);
        if (kind.isEmpty()) {
            return new SyncConfig(List.of(), Map.of(), Map.of());
        }
        List<SyncTarget> targets = new ArrayList<>();
        for (ConfigEntry e : config.items(kind.get()).values()) {
            if (e instanceof SyncTarget t) {
                targets.add(t);
            }
        }
        if (targets.isEmpty()) {
            return new SyncConfig(List.of(), Map.of(), Map.of());
        }
        Map<String, BucketRange> groups = new HashMap<>();
        Map<Long, String> pinned = new HashMap<>();
        for (SellerGroup g : config.items(ConfigKind.SELLER_GROUPS).values()) {
            if (g.pinned()) { // the first pin group listing a seller wins, as in SellerGroups.groupOf
                g.sellers().forEach(s -> pinned.putIfAbsent(s, g.name()));
            } else if (g.bucketFrom() != null && g.bucketTo() != null && g.bucketFrom() < g.bucketTo()) {
                groups.put(g.name(), new BucketRange(g.bucketFrom(), g.bucketTo()));
            }
        }
        Map<String, String> clusters = new HashMap<>();
        for (Assignment a : config.items(ConfigKind.ASSIGNMENTS).values()) {
            clusters.put(a.sellerGroup(), a.cluster());
        }
        Map<String, Integer> budgets = new HashMap<>();
        for (AgentCluster c : config.items(ConfigKind.AGENT_CLUSTERS).values()) {
            budgets.put(c.name(), c.syncConnections());
        }
        return new SyncConfig(targets, groups, clusters, pinned, budgets);
    }

    /** Whether {@code group} is a seller group of the release (a range or a pin). */
    public boolean hasGroup(String group) {
        return groups.containsKey(group) || pinned.containsValue(group);
    }

    /** Whether {@code group} is a pin group (its sellers listed, no bucket range). */
    public boolean isPin(String group) {
        return !groups.containsKey(group) && pinned.containsValue(group);
    }

    /**
     * The group that syncs this seller: its pin group, else the range group of its bucket ({@code
     * SellerGroups.groupOf}); empty when none covers it.
     */
    public Optional<String> groupOf(long sellerId) {
        String pin = pinned.get(sellerId);
        if (pin != null) {
            return Optional.of(pin);
        }
        int bucket = SellerGroup.bucketOf(Long.toString(sellerId));
        for (Map.Entry<String, BucketRange> e : groups.entrySet()) {
            if (e.getValue().contains(bucket)) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    /** The bucket range of a seller group, or empty when there is no such group. */
    public Optional<BucketRange> buckets(String group) {
        return Optional.ofNullable(groups.get(group));
    }

    /** The cluster a seller group is assigned to, or empty when it has no assignment. */
    public Optional<String> cluster(String group) {
        return Optional.ofNullable(clusters.get(group));
    }

    /** The connection budget of {@code cluster} towards each sync target. */
    public int budget(String cluster) {
        return budgets.getOrDefault(cluster, AgentCluster.DEFAULT_SYNC_CONNECTIONS);
    }

    /**
     * The pool size of one (target, group) synced by {@code cluster}: {@code max(1, min(budget / n, maxConnections /
     * m))}, where {@code n} is the number of the target's groups assigned to the cluster and {@code m} the number of
     * all the target's groups. So the pools of the cluster's agents towards the target never sum to more than the
     * cluster's budget, and the pools of all clusters never to more than the target's {@code maxConnections} — unless
     * a cluster has more of the target's groups than connections to give: every group holds at least one.
     */
    public int share(SyncTarget target, String cluster) {
        int here = 0;
        for (String g : target.sellerGroups()) {
            if (cluster.equals(clusters.get(g))) {
                here++;
            }
        }
        int all = Math.max(1, target.sellerGroups().size());
        return Math.max(1, Math.min(budget(cluster) / Math.max(1, here), target.maxConnections() / all));
    }
}
