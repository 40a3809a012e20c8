package io.topaz.control.audit;

import io.topaz.control.web.ApiException;
import io.topaz.control.web.Paging;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** {@code GET /api/v1/audit}: the audit log by time range, item, release or actor. */
@RestController
@RequestMapping("/api/v1/audit")
class AuditController {

    private final AuditLog auditLog;

    AuditController(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    record AuditPage(int offset, int limit, List<AuditEvent> events) {
    }

    @GetMapping
    AuditPage query(@RequestParam(required = false) String from,
                    @RequestParam(required = false) String to,
                    @RequestParam(required = false) String kind,
                    @RequestParam(required = false) String key,
                    @RequestParam(required = false) Long release,
                    @RequestParam(required = false) String actor,
                    @RequestParam(defaultValue = "0") int offset,
                    @RequestParam(defaultValue = "100") int limit) {
        Paging.offsetLimit(offset, limit, 1000);
        Instant fromAt = instant("from", from);
        Instant toAt = instant("to", to);
        if (fromAt != null && toAt != null && !fromAt.isBefore(toAt)) {
            throw ApiException.badRequest("from must be before to, was from=" + from + " to=" + to);
        }
        List<AuditEvent> events = auditLog.query(new AuditQuery(fromAt, toAt, kind, key, release, actor, offset, limit));
        return new AuditPage(offset, limit, events);
    }

    private static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name + " must be an ISO-8601 instant such as 2026-11-24T08:00:00Z, was " + value);
        }
    }
}
