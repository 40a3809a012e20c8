package io.topaz.model.release;

import java.util.Map;
import java.util.TreeMap;

/**
 * A release: its number, who published it and why, and for each config kind the blobs that hold its entries.
 * Immutable once written.
 *
 * @param rollbackOf the earlier release whose content this one republishes, or {@code null}
 */
public record ReleaseManifest(long number, String message, String author, long createdAtMillis, Long rollbackOf,
                              Map<String, KindBlobs> kinds) {

    public ReleaseManifest {
        kinds = kinds == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(kinds));
    }

    public int itemCount() {
        return kinds.values().stream().mapToInt(KindBlobs::itemCount).sum();
    }
}
