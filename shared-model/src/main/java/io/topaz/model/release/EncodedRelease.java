package io.topaz.model.release;

import java.util.Map;

/** A release ready to store: its manifest and the blobs it references, by hash (gzip'd JSON). */
public record EncodedRelease(ReleaseManifest manifest, Map<String, byte[]> blobs) {
}
