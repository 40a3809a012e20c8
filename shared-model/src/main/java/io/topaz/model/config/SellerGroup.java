package io.topaz.model.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.topaz.model.validation.Checks;
import io.topaz.model.validation.FieldError;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A group of sellers whose order sync is handled together. Sellers are hashed into {@link #BUCKETS} buckets; a group
 * either owns the half-open bucket range {@code [bucketFrom, bucketTo)}, so groups can be split and moved between
 * clusters without listing hundreds of millions of sellers, or is a <em>pin</em>: the explicit {@link #sellers} (TOP
 * user ids), e.g. one hot seller in a group of its own. A pinned seller belongs to its pin group only, whatever its
 * bucket: the range group covering its bucket leaves it out ({@link SellerGroups#groupOf}).
 *
 * @param sellers the pinned sellers' TOP user ids; empty for a range group
 */
public record SellerGroup(String name, String description, Integer bucketFrom, Integer bucketTo,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Long> sellers)
        implements ConfigEntry {

    public static final int BUCKETS = 1024;
    /** The most sellers one pin group may list: pins are for a few hot sellers, ranges for everyone else. */
    public static final int MAX_PINNED = 100;

    public SellerGroup {
        description = description == null ? "" : description;
        sellers = sellers == null ? List.of() : List.copyOf(sellers);
    }

    /** A range group. */
    public SellerGroup(String name, String description, Integer bucketFrom, Integer bucketTo) {
        this(name, description, bucketFrom, bucketTo, null);
    }

    /** A pin group holding {@code sellers}. */
    public static SellerGroup pin(String name, String description, List<Long> sellers) {
        return new SellerGroup(name, description, null, null, sellers);
    }

    /** The bucket a seller falls into; stable across JVMs and releases. */
    public static int bucketOf(String sellerId) {
        return Math.floorMod(sellerId.hashCode() * 0x9E3779B9, BUCKETS);
    }

    public boolean pinned() {
        return !sellers.isEmpty();
    }

    /**
     * Whether the group names this seller: listed in a pin group, or in a range group's buckets. Ignores pins held by
     * other groups — ask {@link SellerGroups#groupOf} which group a seller is synced by.
     */
    public boolean contains(String sellerId) {
        if (pinned()) {
            try {
                return sellers.contains(Long.parseLong(sellerId));
            } catch (NumberFormatException e) {
                return false;
            }
        }
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
        if (pinned()) {
            if (bucketFrom != null) {
                c.fail("bucketFrom", bucketFrom, "must be absent in a pin group (one that lists sellers)");
            }
            if (bucketTo != null) {
                c.fail("bucketTo", bucketTo, "must be absent in a pin group (one that lists sellers)");
            }
            if (sellers.size() > MAX_PINNED) {
                c.fail("sellers", sellers.size(), "must list at most " + MAX_PINNED + " sellers; use a bucket range");
            }
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < sellers.size(); i++) {
                Long s = sellers.get(i);
                if (s == null || s <= 0) {
                    c.fail("sellers[" + i + "]", s, "must be a TOP user id (a positive whole number)");
                } else if (!seen.add(s)) {
                    c.fail("sellers[" + i + "]", s, "must not repeat a seller");
                }
            }
            return c.errors();
        }
        c.range("bucketFrom", bucketFrom, 0, BUCKETS - 1);
        c.range("bucketTo", bucketTo, 1, BUCKETS);
        if (bucketFrom != null && bucketTo != null && bucketFrom >= bucketTo) {
            c.fail("bucketTo", bucketTo, "must be greater than bucketFrom (" + bucketFrom + ")");
        }
        return c.errors();
    }
}
