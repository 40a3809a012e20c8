package io.topaz.model.config;

import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.List;

/**
 * A group of sellers whose order sync is handled together. Sellers are hashed into {@link #BUCKETS} buckets; a group
 * owns the half-open bucket range {@code [bucketFrom, bucketTo)}, so groups can be split and moved between clusters
 * without listing hundreds of millions of sellers.
 */
public record SellerGroup(String name, String description, Integer bucketFrom, Integer bucketTo) implements ConfigEntry {

    public static final int BUCKETS = 1024;

    public SellerGroup {
        description = description == null ? "" : description;
    }

    /** The bucket a seller falls into; stable across JVMs and releases. */
    public static int bucketOf(String sellerId) {
        return Math.floorMod(sellerId.hashCode() * 0x9E3779B9, BUCKETS);
    }

    public boolean contains(String sellerId) {
        int b = bucketOf(sellerId);
        return b >= bucketFrom && b < bucketTo;
    }

    @Override
    public String key() {
        return name;
    }

    @Override
    public List<FieldError> validate() {
        Checks c = new Checks();
        c.identifier("name", name);
        c.maxLength("description", description, 500);
        c.range("bucketFrom", bucketFrom, 0, BUCKETS - 1);
        c.range("bucketTo", bucketTo, 1, BUCKETS);
        if (bucketFrom != null && bucketTo != null && bucketFrom >= bucketTo) {
            c.fail("bucketTo", bucketTo, "must be greater than bucketFrom (" + bucketFrom + ")");
        }
        return c.errors();
    }
}
