package io.topaz.bench.messaging;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the share of push confirmations completed without disk I/O from an agent's Prometheus text
 * ({@code /metrics} on its admin port). The agent reports it under a {@code topaz_push_confirm*} name: either a
 * ratio or share gauge (0–1), or counters tagged with the tier the confirmation state was in ({@code tier="heap"},
 * {@code "direct"}, {@code "file"} or {@code "disk"}). Confirmation latency ({@code topaz_push_confirm_latency*})
 * is not it. Without such a metric the share is "n/a".
 */
final class PushMetricsScrape {

    private static final String PREFIX = "topaz_push_confirm";
    private static final Pattern TIER = Pattern.compile("tier=\"([^\"]*)\"");

    private PushMetricsScrape() {
    }

    /** The samples named {@code topaz_push_confirm*}, except the latency histogram's. */
    static List<String> confirmLines(String prometheusText) {
        return prometheusText.lines().filter(l -> l.startsWith(PREFIX) && !l.startsWith(PREFIX + "_latency"))
                .toList();
    }

    /** The share as a percentage ("99.73 %"), or "n/a". */
    static String withoutDiskShare(List<String> lines) {
        for (String l : lines) {
            String name = name(l);
            if (name.contains("ratio") || name.contains("share")) {
                return String.format(Locale.ROOT, "%.2f %%", 100 * value(l));
            }
        }
        double memory = 0;
        double disk = 0;
        for (String l : lines) {
            Matcher m = TIER.matcher(l);
            if (!m.find() || !name(l).endsWith("_total")) {
                continue;
            }
            String tier = m.group(1).toLowerCase(Locale.ROOT);
            if (tier.contains("file") || tier.contains("disk")) {
                disk += value(l);
            } else {
                memory += value(l);
            }
        }
        return memory + disk > 0 ? String.format(Locale.ROOT, "%.2f %%", 100 * memory / (memory + disk)) : "n/a";
    }

    private static String name(String line) {
        int end = line.indexOf('{');
        if (end < 0) {
            end = line.indexOf(' ');
        }
        return end < 0 ? line : line.substring(0, end);
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
