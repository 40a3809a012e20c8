package io.topaz.agent.metadata;

import io.topaz.model.config.MetadataKind;
import io.topaz.model.metadata.AppMetadata;
import io.topaz.model.metadata.KeyFilter;
import io.topaz.model.metadata.SessionMetadata;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Tier L3, the source of truth for metadata: the control plane's batch lookup. Keys that do not exist are absent from
 * the answer. A failed future means the source could not be reached, never that a key does not exist.
 */
public interface MetadataSource {

    CompletableFuture<Map<String, AppMetadata>> apps(Set<String> appKeys);

    /** @param keyHashes session key hashes */
    CompletableFuture<Map<String, SessionMetadata>> sessions(Set<String> keyHashes);

    /** The Bloom filter of every existing key of {@code kind}, at the false-positive rate asked for. */
    CompletableFuture<KeyFilter> filter(MetadataKind kind, double falsePositiveRate);
}
