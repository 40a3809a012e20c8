package io.topaz.control.security;

/**
 * A token as listed: never its secret or hash. Times are ISO-8601 instants; {@code expiresAt} is null for a token
 * that does not expire, {@code revokedAt} and {@code revokedBy} are null until it is revoked.
 */
public record OperatorToken(String name, Role role, Status status, String createdAt, String createdBy,
                            String expiresAt, String revokedAt, String revokedBy) {

    /** Whether the token can be used now. */
    public enum Status {
        ACTIVE, EXPIRED, REVOKED
    }
}
