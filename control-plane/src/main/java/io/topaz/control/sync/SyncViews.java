package io.topaz.control.sync;

import java.util.List;
import java.util.Map;

/** What {@code /api/v1/sync/…} answers. */
final class SyncViews {

    private SyncViews() {
    }

    /** A sync target of the live release, and whether its password is set. */
    record TargetView(String name, String appKey, String jdbcUrl, String user, List<String> sellerGroups,
                      boolean passwordSet) {
    }

    /** A group's backfill: {@code pending}, {@code running} or {@code done}, and the rows copied so far. */
    record Backfill(String state, long copied) {
    }

    /**
     * One (target, seller group) as the agent that reported it sees it. {@code mergeRatio} is the agent's: messages per
     * order flushed after merging (null when the agent reports none); {@code readsSaved} the orders flushed without a
     * source read (their message was no newer than what was written); {@code readsSavedShare} the share of source reads
     * saved against one read per message, {@code 1 - sourceReads / messages} (null before the first message);
     * {@code repairs} counts reconciliation repairs by reason; {@code sellers} the group's sellers who permitted the
     * target's app, synced now, and {@code sellersBackfilling} those who joined and whose history is still being copied
     * (null from an agent that reports neither).
     */
    record GroupView(String agentId, String target, String group, String holder, long epoch, Long lagP50Millis,
                     Long lagP99Millis, long messages, long sourceReads, Double mergeRatio, long readsSaved,
                     Double readsSavedShare, long writes, long skipped,
                     Map<String, Long> repairs, Backfill backfill, Long sellers, Long sellersBackfilling,
                     String lastReconcile, long errors, String lastError) {
    }

    /** A configured (target, seller group) no live agent reports: not placed yet, or its agents are unreachable. */
    record NotRunning(String target, String group) {
    }

    record SyncStatus(String at, long atMillis, long release, List<TargetView> targets, List<GroupView> groups,
                      List<NotRunning> notRunning, List<String> unreachable) {
    }

    /** {@code POST /api/v1/sync/reconcile}: which group (and optionally which seller and time range) to reconcile. */
    record ReconcileRequest(String target, String group, Long seller, String from, String to) {
    }

    /** The agent the request went to, and what it answered. */
    record ReconcileResult(String target, String group, String agentId, Object accepted) {
    }
}
