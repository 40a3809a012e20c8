package io.topaz.control.audit;

import java.time.Instant;

/** Criteria for reading the audit log; null fields match anything. {@code to} is exclusive. */
public record AuditQuery(Instant from, Instant to, String kind, String key, Long release, String actor, int offset,
                         int limit) {
}
