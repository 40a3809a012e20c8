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
    REVOKE
}
