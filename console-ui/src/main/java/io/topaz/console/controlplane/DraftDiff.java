package io.topaz.console.controlplane;

import java.util.List;

/** What publishing the draft would change, compared with live release {@code baseRelease} (0: none yet). */
public record DraftDiff(long baseRelease, List<DraftChange> changes) {

    public DraftDiff {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }
}
