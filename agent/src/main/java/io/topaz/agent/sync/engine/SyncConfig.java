package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.BucketRange;
import io.topaz.model.config.Assignment;
import io.topaz.model.config.ConfigEntry;
import io.topaz.model.config.ConfigKind;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.SellerGroup;
import io.topaz.model.config.SyncTarget;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The order-sync part of a release: the sync targets (config kind {@code sync-targets}), the seller groups they cover
 * and the cluster each group is assigned to. Looked up by kind name, so a release without the kind has no targets.
 */
public final class SyncConfig {

    /** The config kind's name in REST and ZooKeeper paths. */
    public static final String KIND = "sync-targets";

    private SyncConfig() {
    }

    /** The release's sync targets, sorted by name. */
    public static List<SyncTarget> targets(ConfigSnapshot config) {
        Optional<ConfigKind<?>> kind = ConfigKind.byName(KIND);
        if (kind.isEmpty()) {
            return List.of();
        }
        Map<String, ? extends ConfigEntry> items = config.items(kind.get());
        List<SyncTarget> out = new ArrayList<>(items.size());
        for (ConfigEntry e : items.values()) {
            if (e instanceof SyncTarget t) {
                out.add(t);
            }
        }
        return out;
    }

    /** The bucket range of a seller group, or empty when the release has no such group. */
    public static Optional<BucketRange> buckets(ConfigSnapshot config, String group) {
        SellerGroup g = config.items(ConfigKind.SELLER_GROUPS).get(group);
        return g == null || g.bucketFrom() == null || g.bucketTo() == null ? Optional.empty()
                : Optional.of(new BucketRange(g.bucketFrom(), g.bucketTo()));
    }

    /** The cluster a seller group is assigned to, or empty when it has no assignment. */
    public static Optional<String> cluster(ConfigSnapshot config, String group) {
        Assignment a = config.items(ConfigKind.ASSIGNMENTS).get(group);
        return Optional.ofNullable(a).map(Assignment::cluster);
    }
}
