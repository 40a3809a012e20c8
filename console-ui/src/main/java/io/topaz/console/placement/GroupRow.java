package io.topaz.console.placement;

import io.topaz.console.controlplane.Placement;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One placed seller group as the Placement screen shows it, already formatted: where it runs, why and since when, and
 * the load its agent reports.
 *
 * @param range       {@code buckets [0, 512)} or {@code pin 1001, 1002}
 * @param holding     whether the agent reports holding the group (false while a handover runs)
 * @param hotSellers  the busiest sellers, busiest first, as reported
 */
public record GroupRow(String cluster, String group, String range, boolean pinned, Integer bucketFrom,
                       Integer bucketTo, String agent, String zone, boolean holding, String load, String lag,
                       int connections, long backlog, List<Placement.HotSeller> hotSellers, String reason,
                       String since, String previousAgent, long generation) {

    static final String NONE = "—";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    /** The key rows are matched by across refreshes. */
    public String key() {
        return cluster + "/" + group;
    }

    static GroupRow of(String cluster, Placement.Group g, Clock clock, ZoneId zone) {
        String range = g.pinned()
                ? "pin " + g.sellers().stream().map(String::valueOf).collect(Collectors.joining(", "))
                : "buckets [" + g.bucketFrom() + ", " + g.bucketTo() + ")";
        return new GroupRow(cluster, g.group(), range, g.pinned(), g.bucketFrom(), g.bucketTo(), g.agent(), g.zone(),
                g.holding(), rate(g.changesPerSecond()), millis(g.lagP99Millis()), g.connections(), g.backlog(),
                g.hotSellers(), g.reason() == null || g.reason().isBlank() ? NONE : g.reason(),
                since(g.sinceMillis(), clock, zone), g.previousAgent(), g.generation());
    }

    /** A group assigned to the cluster that is placed on no live agent. */
    static GroupRow unplaced(String cluster, String group) {
        return new GroupRow(cluster, group, NONE, false, null, null, null, null, false, NONE, NONE, 0, 0, List.of(),
                "unplaced", NONE, null, 0);
    }

    public boolean placed() {
        return agent != null;
    }

    /** {@code 2 hot sellers: 1001 shop-a 120.0/s, 1002 …} or {@code —}. */
    public String hotSellersText() {
        if (hotSellers.isEmpty()) {
            return NONE;
        }
        return hotSellers.stream().map(h -> h.sellerId() + (h.nick() == null || h.nick().isBlank() ? "" : " " + h.nick())
                + " " + rate(h.changesPerSecond())).collect(Collectors.joining(" · "));
    }

    /** The line under the group in the tree. */
    public String detail() {
        if (!placed()) {
            return "not placed: no live agent of " + cluster + " holds it";
        }
        return range + " · " + load + " · lag p99 " + lag + " · " + connections + " conn · backlog " + backlog
                + " · " + reason + " " + since + (holding ? "" : " · handing over, " + agent + " does not hold it yet");
    }

    static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.1f changes/s", perSecond);
    }

    static String millis(Long ms) {
        if (ms == null) {
            return NONE;
        }
        return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** {@code 2026-12-06 09:00:00 (5 min ago)}. */
    static String since(long millis, Clock clock, ZoneId zone) {
        if (millis <= 0) {
            return NONE;
        }
        Instant at = Instant.ofEpochMilli(millis);
        Duration ago = Duration.between(at, clock.instant());
        String relative;
        if (ago.isNegative() || ago.toSeconds() < 60) {
            relative = Math.max(0, ago.toSeconds()) + " s ago";
        } else if (ago.toMinutes() < 60) {
            relative = ago.toMinutes() + " min ago";
        } else if (ago.toHours() < 48) {
            relative = ago.toHours() + " h ago";
        } else {
            relative = ago.toDays() + " days ago";
        }
        return "since " + TIME.format(at.atZone(zone)) + " (" + relative + ")";
    }
}
