package io.topaz.model.metadata;

import io.topaz.model.config.MetadataKind;

/**
 * A change to metadata that agents must not learn from a TTL: a key was created (agents add it to their Bloom filter
 * and forget a cached miss) or an app or session changed (agents drop what they cached of it). Events are ZooKeeper
 * sequential nodes, so {@code seq} has no gaps: an agent that sees a gap has missed events and drops everything.
 *
 * @param key     the app key, or the session key's hash
 * @param version the item's version after the change
 */
public record MetadataEvent(long seq, Type type, MetadataKind kind, String key, long version, long atMillis) {

    public enum Type {
        CREATED,
        CHANGED
    }

    public MetadataEvent withSeq(long newSeq) {
        return new MetadataEvent(newSeq, type, kind, key, version, atMillis);
    }
}
