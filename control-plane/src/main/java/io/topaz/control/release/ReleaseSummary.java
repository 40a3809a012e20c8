package io.topaz.control.release;

import io.topaz.model.release.ReleaseManifest;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** A release as listed in the history: what, who, when, and how many entries of each kind. */
public record ReleaseSummary(long number, String message, String author, String createdAt, Long rollbackOf,
                             int itemCount, Map<String, Integer> counts, boolean live) {

    static ReleaseSummary of(ReleaseManifest m, long liveNumber) {
        Map<String, Integer> counts = new TreeMap<>();
        m.kinds().forEach((k, v) -> counts.put(k, v.itemCount()));
        return new ReleaseSummary(m.number(), m.message(), m.author(), Instant.ofEpochMilli(m.createdAtMillis()).toString(),
                m.rollbackOf(), m.itemCount(), counts, m.number() == liveNumber);
    }
}
