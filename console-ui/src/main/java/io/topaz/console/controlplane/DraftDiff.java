package io.topaz.console.controlplane;

import java.util.List;

/**
 * What publishing the draft would change, compared with live release {@code baseRelease} (0: none yet), read at draft
 * revision {@code draftRevision}: a publish sends that revision back, so only what the operator saw is published.
 */
public record DraftDiff(long baseRelease, long draftRevision, List<DraftChange> changes) {

    public DraftDiff {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }
}
