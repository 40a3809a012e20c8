package io.topaz.console.sync;

import io.topaz.console.controlplane.SyncStatus;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

/**
 * One (sync target, seller group) row of the Sync screen, already formatted. A group no agent reports is a row too,
 * with {@code holder} "not running".
 *
 * @param running whether an agent reports the group (a reconciliation can only go to such a group)
 */
public record SyncRow(String target, String group, boolean running, String holder, String lag, String mergeRatio,
                      String readsSaved, long sourceReads, long writes, long skipped, String repairs, String backfill,
                      String lastReconcile, long errors, String lastError) {

    static final String NONE = "—";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    /** The key rows are matched by across refreshes. */
    public String key() {
        return target + "/" + group;
    }

    static SyncRow of(SyncStatus.Group g, ZoneId zone) {
        String holder = g.holder() == null ? NONE : g.holder() + " (epoch " + g.epoch() + ")";
        String lag = g.lagP50Millis() == null && g.lagP99Millis() == null ? NONE
                : millis(g.lagP50Millis()) + " / " + millis(g.lagP99Millis());
        String ratio = g.mergeRatio() == null ? NONE : String.format(Locale.ROOT, "%.2f", g.mergeRatio());
        String saved = g.readsSavedShare() == null ? NONE
                : String.format(Locale.ROOT, "%.1f %%", 100 * g.readsSavedShare());
        String backfill = g.backfill() == null || g.backfill().state() == null ? NONE
                : g.backfill().state() + " · " + g.backfill().copied() + " copied";
        return new SyncRow(g.target(), g.group(), true, holder, lag, ratio, saved, g.sourceReads(), g.writes(), g.skipped(),
                repairs(g.repairs()), backfill, time(g.lastReconcile(), zone), g.errors(),
                g.lastError() == null || g.lastError().isBlank() ? "" : g.lastError());
    }

    static SyncRow notRunning(SyncStatus.NotRunning n) {
        return new SyncRow(n.target(), n.group(), false, "not running", NONE, NONE, NONE, 0, 0, 0, NONE, NONE, NONE, 0, "");
    }

    /** {@code missed 3 · lost 1 · late 0}. */
    static String repairs(Map<String, Long> byReason) {
        if (byReason.isEmpty()) {
            return NONE;
        }
        return "missed " + byReason.getOrDefault("missed_message", 0L)
                + " · lost " + byReason.getOrDefault("lost_write", 0L)
                + " · late " + byReason.getOrDefault("late_message", 0L);
    }

    private static String millis(Long ms) {
        if (ms == null) {
            return NONE;
        }
        return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static String time(String iso, ZoneId zone) {
        if (iso == null || iso.isBlank()) {
            return NONE;
        }
        try {
            return TIME.format(Instant.parse(iso).atZone(zone));
        } catch (DateTimeParseException e) {
            return iso;
        }
    }
}
