package io.topaz.control.release;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.topaz.model.release.ReleaseManifest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A release as listed in the history: what, who, when, and how many entries of each kind. The answer to a publish or
 * rollback also says which draft revision it published or left ({@code draftRevision}), and a rollback names the
 * unpublished draft changes it discarded ({@code discardedDraftChanges}, {@code kind 'key'}); both are absent in the
 * history.
 */
public record ReleaseSummary(long number, String message, String author, String createdAt, Long rollbackOf,
                             int itemCount, Map<String, Integer> counts, boolean live,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Long draftRevision,
                             @JsonInclude(JsonInclude.Include.NON_NULL) List<String> discardedDraftChanges) {

    ReleaseSummary with(Long revision, List<String> discarded) {
        return new ReleaseSummary(number, message, author, createdAt, rollbackOf, itemCount, counts, live, revision,
                discarded == null ? null : List.copyOf(discarded));
    }

    static ReleaseSummary of(ReleaseManifest m, long liveNumber) {
        Map<String, Integer> counts = new TreeMap<>();
        m.kinds().forEach((k, v) -> counts.put(k, v.itemCount()));
        return new ReleaseSummary(m.number(), m.message(), m.author(), Instant.ofEpochMilli(m.createdAtMillis()).toString(),
                m.rollbackOf(), m.itemCount(), counts, m.number() == liveNumber, null, null);
    }
}
