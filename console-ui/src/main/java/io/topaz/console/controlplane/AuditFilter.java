package io.topaz.console.controlplane;

import java.time.Instant;

/** Criteria for the audit log; null matches anything, {@code to} is exclusive. */
public record AuditFilter(Instant from, Instant to, String kind, String key, Long release, String actor) {

    public static AuditFilter any() {
        return new AuditFilter(null, null, null, null, null, null);
    }
}
