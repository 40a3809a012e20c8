package io.topaz.agent.metadata;

import io.topaz.model.config.MetadataKind;
import io.topaz.model.metadata.AppMetadata;
import io.topaz.model.metadata.KeyFilter;
import io.topaz.model.metadata.SessionMetadata;
import io.topaz.model.metadata.TmcGroups;
import io.topaz.model.metadata.TmcUser;

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

    /** Sellers' message-service permits by TOP user id (decimal); unknown ids are left out. */
    default CompletableFuture<Map<String, TmcUser>> tmcUsers(Set<String> userIds) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("no message-service data here"));
    }

    /** Apps' consumer groups by app key; unknown apps are left out. */
    default CompletableFuture<Map<String, TmcGroups>> tmcGroups(Set<String> appKeys) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("no message-service data here"));
    }

    /** Nick → TOP user id (decimal) of the sellers among {@code nicks} who have one; others are left out. */
    default CompletableFuture<Map<String, String>> tmcNicks(Set<String> nicks) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("no message-service data here"));
    }

    /** The Bloom filter of every existing key of {@code kind}, at the false-positive rate asked for. */
    CompletableFuture<KeyFilter> filter(MetadataKind kind, double falsePositiveRate);
}
