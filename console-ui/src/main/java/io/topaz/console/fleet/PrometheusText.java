package io.topaz.console.fleet;

import java.util.OptionalDouble;

/** Reads values out of the Prometheus text exposition format an agent's {@code /metrics} serves. */
final class PrometheusText {

    private PrometheusText() {
    }

    /**
     * The sum of every sample of {@code metric} over all its label sets, or empty when the text has no sample of it.
     * Matches the exact metric name, so {@code x_total} does not match {@code x_total_created}.
     */
    static OptionalDouble sum(String text, String metric) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#' || !line.startsWith(metric)) {
                continue;
            }
            int end = metric.length();
            if (line.length() == end) {
                continue;
            }
            char next = line.charAt(end);
            int valueStart;
            if (next == '{') {
                int close = line.indexOf('}', end);
                if (close < 0) {
                    continue;
                }
                valueStart = close + 1;
            } else if (next == ' ' || next == '\t') {
                valueStart = end;
            } else {
                continue;
            }
            String[] rest = line.substring(valueStart).trim().split("\\s+");
            if (rest.length == 0 || rest[0].isEmpty()) {
                continue;
            }
            try {
                double v = Double.parseDouble(rest[0]);
                if (!Double.isNaN(v)) {
                    sum += v;
                    found = true;
                }
            } catch (NumberFormatException ignored) {
                // a malformed sample line is skipped, not fatal: the sparkline just misses it
            }
        }
        return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }
}
