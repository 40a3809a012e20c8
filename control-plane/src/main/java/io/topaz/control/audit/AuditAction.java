package io.topaz.control.audit;

/** What an audited change did. */
public enum AuditAction {
    CREATE,
    UPDATE,
    DELETE,
    PUBLISH,
    ROLLBACK,
    TOKEN_CREATE,
    TOKEN_REVOKE,
    /** A session revoked before it expired. */
    REVOKE,
    /** Dead letters of an app sent back to their queues (kind {@code dead-letters}, key the app key). */
    DEAD_LETTER_REPLAY,
    /** Dead letters of an app deleted (kind {@code dead-letters}, key the app key). */
    DEAD_LETTER_PURGE,
    /** An operator closed a push connection (kind {@code push-connections}, key {@code agent/connection id}). */
    PUSH_DISCONNECT,
    /** Stored app secrets moved to the current encryption key (kind {@code apps}, key {@code *}). */
    SECRETS_REENCRYPT,
    /** A full reconciliation of an order-sync group forwarded to its syncing agent (kind {@code sync-targets}). */
    SYNC_RECONCILE,
    /**
     * A seller group placed on a syncing agent of its cluster (kind {@code placements}, key the group; detail: cluster,
     * agent, previousAgent, reason, generation): by the leader (actor {@code placer}) or an operator's move.
     */
    PLACEMENT
}
