package io.topaz.control.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The draft's revision, the data of {@link io.topaz.model.zk.ZkLayout#draftRevision()}: a number every draft write
 * bumps in its own transaction, and the last {@link #KEEP} keys written with the revision that wrote each, so a publish
 * refused for a stale revision can say which entries changed since the operator's diff.
 *
 * @param revision      the number of draft writes so far (0: never written)
 * @param completeAfter every write of a revision above this one is in {@code recent}
 * @param recent        the newest writes, oldest first
 */
public record DraftRevision(long revision, long completeAfter, List<Touch> recent) {

    /** How many recent writes are kept: enough to name what changed while one operator read a diff. */
    public static final int KEEP = 200;

    /** One entry written by draft revision {@code revision}. */
    public record Touch(long revision, String kind, String key) {
        public String describe() {
            return kind + " '" + key + "'";
        }
    }

    public DraftRevision {
        recent = recent == null ? List.of() : List.copyOf(recent);
    }

    public static DraftRevision initial() {
        return new DraftRevision(0, 0, List.of());
    }

    /** The next revision, written by a change of {@code keys} ({@code kind/key} pairs). */
    public DraftRevision next(List<Touch> keys) {
        long next = revision + 1;
        List<Touch> all = new ArrayList<>(recent);
        for (Touch t : keys) {
            all.add(new Touch(next, t.kind(), t.key()));
        }
        long complete = completeAfter;
        while (all.size() > KEEP) {
            complete = Math.max(complete, all.remove(0).revision());
        }
        return new DraftRevision(next, complete, all);
    }

    /**
     * The distinct entries written after revision {@code since}, oldest first; empty when {@code since} is older than
     * what is kept (too many writes since to name them).
     */
    public Optional<List<String>> changedSince(long since) {
        if (since < completeAfter) {
            return Optional.empty();
        }
        return Optional.of(recent.stream().filter(t -> t.revision() > since).map(Touch::describe).distinct().toList());
    }

    /** A sentence naming what changed after {@code since}, for a 409. */
    public String describeChangesSince(long since) {
        return changedSince(since)
                .map(keys -> keys.isEmpty() ? "no entry changed (the writes were undone)" : "changed: "
                        + (keys.size() > 20 ? String.join(", ", keys.subList(0, 20)) + " and " + (keys.size() - 20)
                        + " more" : String.join(", ", keys)))
                .orElse("more than " + KEEP + " entries were written since");
    }
}
