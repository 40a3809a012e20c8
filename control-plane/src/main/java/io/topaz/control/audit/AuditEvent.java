package io.topaz.control.audit;

/**
 * One audited change: who, when, what, which release.
 *
 * @param at     ISO-8601 instant
 * @param detail JSON text: the item before and after, or the release message
 */
public record AuditEvent(long id, String at, String actor, AuditAction action, String kind, String key, Long release,
                         Long itemVersion, String detail) {
}
