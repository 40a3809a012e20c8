package io.topaz.console.controlplane;

/**
 * One audited change.
 *
 * @param at     ISO-8601 instant
 * @param action CREATE, UPDATE, DELETE, PUBLISH, ROLLBACK, TOKEN_CREATE or TOKEN_REVOKE
 * @param detail JSON text: the item before and after, or the release message
 */
public record AuditEvent(long id, String at, String actor, String action, String kind, String key, Long release,
                         Long itemVersion, String detail) {
}
