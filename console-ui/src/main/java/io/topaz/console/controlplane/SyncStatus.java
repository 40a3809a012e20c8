package io.topaz.console.controlplane;

import java.util.List;
import java.util.Map;

/**
 * The order sync as the control plane gathered it from the live agents ({@code GET /api/v1/sync/status}).
 *
 * @param targets     the live release's sync targets
 * @param groups      per (target, seller group), as the agent holding its lease reports it
 * @param notRunning  configured groups no agent reports
 * @param unreachable agents that did not answer: their groups are missing from this answer
 */
public record SyncStatus(String at, long atMillis, long release, List<Target> targets, List<Group> groups,
                         List<NotRunning> notRunning, List<String> unreachable) {

    public SyncStatus {
        targets = targets == null ? List.of() : List.copyOf(targets);
        groups = groups == null ? List.of() : List.copyOf(groups);
        notRunning = notRunning == null ? List.of() : List.copyOf(notRunning);
        unreachable = unreachable == null ? List.of() : List.copyOf(unreachable);
    }

    public record Target(String name, String appKey, String jdbcUrl, String user, List<String> sellerGroups,
                         boolean passwordSet) {
    }

    /** {@code pending}, {@code running} or {@code done}, and the rows copied so far. */
    public record Backfill(String state, long copied) {
    }

    /**
     * {@code mergeRatio}: messages per order flushed after merging; {@code readsSavedShare}: source reads saved against
     * one read per message (both null when unknown).
     */
    public record Group(String agentId, String target, String group, String holder, long epoch, Long lagP50Millis,
                        Long lagP99Millis, long messages, long sourceReads, Double mergeRatio, long readsSaved,
                        Double readsSavedShare, long writes,
                        long skipped, Map<String, Long> repairs, Backfill backfill, String lastReconcile, long errors,
                        String lastError) {
        public Group {
            repairs = repairs == null ? Map.of() : Map.copyOf(repairs);
        }
    }

    public record NotRunning(String target, String group) {
    }

    /** What {@code POST /api/v1/sync/reconcile} answers: the agent the reconciliation went to. */
    public record Reconcile(String target, String group, String agentId) {
    }
}
