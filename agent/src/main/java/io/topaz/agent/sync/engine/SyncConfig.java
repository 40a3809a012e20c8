package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.BucketRange;
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
 * @param groups   bucket range by seller group
 * @param clusters assigned cluster by seller group
 */
public record SyncConfig(List<SyncTarget> targets, Map<String, BucketRange> groups, Map<String, String> clusters) {

    /** The config kind's name in REST and ZooKeeper paths. */
    public static final String KIND = "sync-targets";

    public SyncConfig {
        targets = List.copyOf(targets);
        groups = Map.copyOf(groups);
        clusters = Map.copyOf(clusters);
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
        for (SellerGroup g : config.items(ConfigKind.SELLER_GROUPS).values()) {
            if (g.bucketFrom() != null && g.bucketTo() != null && g.bucketFrom() < g.bucketTo()) {
                groups.put(g.name(), new BucketRange(g.bucketFrom(), g.bucketTo()));
            }
        }
        Map<String, String> clusters = new HashMap<>();
        for (Assignment a : config.items(ConfigKind.ASSIGNMENTS).values()) {
            clusters.put(a.sellerGroup(), a.cluster());
        }
        return new SyncConfig(targets, groups, clusters);
    }

    /** The bucket range of a seller group, or empty when there is no such group. */
    public Optional<BucketRange> buckets(String group) {
        return Optional.ofNullable(groups.get(group));
    }

    /** The cluster a seller group is assigned to, or empty when it has no assignment. */
    public Optional<String> cluster(String group) {
        return Optional.ofNullable(clusters.get(group));
    }
}
