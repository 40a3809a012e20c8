package io.topaz.model.config;

import java.util.Collection;
import java.util.Optional;

/** Which seller group a seller is synced by: its pin group if one lists it, else the range group of its bucket. */
public final class SellerGroups {

    private SellerGroups() {
    }

    public static Optional<SellerGroup> groupOf(Collection<SellerGroup> groups, long sellerId) {
        SellerGroup byRange = null;
        int bucket = SellerGroup.bucketOf(Long.toString(sellerId));
        for (SellerGroup g : groups) {
            if (g.pinned()) {
                if (g.sellers().contains(sellerId)) {
                    return Optional.of(g);
                }
            } else if (byRange == null && bucket >= g.bucketFrom() && bucket < g.bucketTo()) {
                byRange = g;
            }
        }
        return Optional.ofNullable(byRange);
    }

    public static Optional<SellerGroup> groupOf(ConfigSnapshot config, long sellerId) {
        return groupOf(config.items(ConfigKind.SELLER_GROUPS).values(), sellerId);
    }
}
