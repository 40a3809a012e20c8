package io.topaz.console.controlplane;

import java.util.List;
import java.util.Map;

/**
 * A release as the history lists it. {@code rollbackOf} is the release it republished, or null. The answer to a
 * publish or rollback also carries the draft revision it published or left ({@code draftRevision}) and, for a
 * rollback, the unpublished draft changes it discarded ({@code kind 'key'}); both are null in the history.
 */
public record ReleaseSummary(long number, String message, String author, String createdAt, Long rollbackOf,
                             int itemCount, Map<String, Integer> counts, boolean live, Long draftRevision,
                             List<String> discardedDraftChanges) {

    public ReleaseSummary {
        discardedDraftChanges = discardedDraftChanges == null ? List.of() : List.copyOf(discardedDraftChanges);
    }
}
