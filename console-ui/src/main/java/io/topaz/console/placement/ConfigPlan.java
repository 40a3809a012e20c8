package io.topaz.console.placement;

import io.topaz.console.controlplane.DraftChange;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A placement change made through config: the draft edits it takes (each with the version it was planned against, so
 * a concurrent edit is refused rather than overwritten), and what else is unpublished in the draft and so would ship
 * in the same release. The confirmation dialog shows {@link #describe()}; nothing is written before it is confirmed.
 *
 * @param action      one line, e.g. {@code move seller group g1 to cluster green}
 * @param alsoInDraft other unpublished draft changes ({@code kind 'key'}), published along with these edits
 */
public record ConfigPlan(String action, List<Edit> edits, List<String> alsoInDraft) {

    public ConfigPlan {
        edits = List.copyOf(edits);
        alsoInDraft = List.copyOf(alsoInDraft);
    }

    /**
     * One draft write: a create when {@code version} is null, else an update of the entry at that version.
     *
     * @param change one line, e.g. {@code assignments 'g1': cluster blue → green}
     */
    public record Edit(String kind, String key, Long version, java.util.Map<String, Object> value, String change) {
    }

    /** What the confirmation shows: every edit, then the other draft changes that would be published with them. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        edits.forEach(e -> sb.append("• ").append(e.change()).append('\n'));
        if (!alsoInDraft.isEmpty()) {
            sb.append("\nAlso unpublished in the draft, and published with it:\n");
            alsoInDraft.forEach(c -> sb.append("• ").append(c).append('\n'));
        }
        return sb.toString().strip();
    }

    /** The draft changes ({@code kind 'key'}) a publish of this plan is expected to ship, and no other. */
    Set<String> expectedChanges() {
        return Stream.concat(edits.stream().map(e -> label(e.kind(), e.key())), alsoInDraft.stream())
                .collect(Collectors.toSet());
    }

    static String label(String kind, String key) {
        return kind + " '" + key + "'";
    }

    static String label(DraftChange c) {
        return label(c.kind(), c.key());
    }
}
