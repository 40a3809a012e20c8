package io.topaz.control.sync;

import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one group of an agent's {@code GET /sync} answer, leniently: a field an agent leaves out reads as 0 (or null
 * for lags, the last reconcile and the last error), fields it adds later are ignored.
 */
final class SyncReports {

    /** The repair reasons every answer lists, in this order, even when an agent has counted none. */
    static final String[] REASONS = {"missed_message", "lost_write", "late_message"};

    private SyncReports() {
    }

    /** The group, or null when it names no target or group. */
    static SyncViews.GroupView group(String agentId, JsonNode g) {
        String target = text(g, "target");
        String group = text(g, "group");
        if (target == null || group == null) {
            return null;
        }
        long messages = number(g, "messages");
        long reads = number(g, "sourceReads");
        Map<String, Long> repairs = new LinkedHashMap<>();
        for (String reason : REASONS) {
            repairs.put(reason, 0L);
        }
        JsonNode r = g.get("repairs");
        if (r != null && r.isObject()) {
            for (String name : r.propertyNames()) {
                repairs.put(name, number(r, name));
            }
        }
        JsonNode b = g.get("backfill");
        SyncViews.Backfill backfill = b == null || !b.isObject() ? null
                : new SyncViews.Backfill(text(b, "state"), number(b, "copied"));
        return new SyncViews.GroupView(agentId, target, group, text(g, "holder"), number(g, "epoch"),
                optional(g, "lagP50Millis"), optional(g, "lagP99Millis"), messages, reads, decimal(g, "mergeRatio"),
                number(g, "readsSaved"), messages == 0 ? null : Math.max(0, 1 - (double) reads / messages),
                number(g, "writes"), number(g, "skipped"), repairs,
                backfill, optional(g, "sellers"), optional(g, "sellersBackfilling"), text(g, "lastReconcile"),
                number(g, "errors"), text(g, "lastError"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    private static long number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isNumber() ? 0 : v.asLong();
    }

    private static Double decimal(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isNumber() ? null : v.asDouble();
    }

    private static Long optional(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isNumber() ? null : v.asLong();
    }
}
