package io.topaz.model.release;

import java.util.List;

/**
 * One kind's entries in a release: split into {@code blobs.size()} buckets (a power of two) by key hash; each element
 * is the SHA-256 of that bucket's JSON.
 */
public record KindBlobs(int itemCount, List<String> blobs) {

    public KindBlobs {
        blobs = blobs == null ? List.of() : List.copyOf(blobs);
    }
}
