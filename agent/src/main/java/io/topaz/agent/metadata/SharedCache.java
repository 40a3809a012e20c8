package io.topaz.agent.metadata;

import io.topaz.model.config.MetadataKind;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Tier L2: a cache shared by the agents (Redis). Values carry the item's version, and a write never replaces a higher
 * version, so a slow loader cannot put back what an invalidation removed. A tombstone (a version with no value) marks
 * an item changed: readers treat it as a miss and must load the new version from L3.
 */
public interface SharedCache extends AutoCloseable {

    /** A value read from L2; {@code json} is null for a tombstone. */
    record Stored(long version, String json) {
        public boolean tombstone() {
            return json == null;
        }
    }

    /** The stored values of the keys found (tombstones included). A failed future means L2 is unreachable. */
    CompletableFuture<Map<String, Stored>> get(MetadataKind kind, Collection<String> keys);

    /** Stores a value unless a higher version (or the same version's value) is there. */
    CompletableFuture<Boolean> put(MetadataKind kind, String key, long version, String json, Duration ttl);

    /** Marks {@code key} changed at {@code version}. */
    CompletableFuture<Boolean> tombstone(MetadataKind kind, String key, long version, Duration ttl);

    boolean configured();

    @Override
    void close();

    /** No L2: agents go L1 → L3. */
    static SharedCache none() {
        return new SharedCache() {
            @Override
            public CompletableFuture<Map<String, Stored>> get(MetadataKind kind, Collection<String> keys) {
                return CompletableFuture.completedFuture(Map.of());
            }

            @Override
            public CompletableFuture<Boolean> put(MetadataKind kind, String key, long version, String json, Duration ttl) {
                return CompletableFuture.completedFuture(false);
            }

            @Override
            public CompletableFuture<Boolean> tombstone(MetadataKind kind, String key, long version, Duration ttl) {
                return CompletableFuture.completedFuture(false);
            }

            @Override
            public boolean configured() {
                return false;
            }

            @Override
            public void close() {
            }
        };
    }
}
