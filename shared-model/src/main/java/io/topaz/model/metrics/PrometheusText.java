package io.topaz.model.metrics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Reads samples out of the Prometheus text exposition format (0.0.4), as Micrometer's {@code PrometheusMeterRegistry}
 * writes it: {@code name{label="value",...} 123.0 [timestamp]}, comments starting with {@code #}.
 *
 * <p>Lenient by design: a line it cannot read is skipped, never fatal, because one odd line in an agent's output must
 * not hide the rest of its counters. {@code NaN} samples are skipped too.
 */
public final class PrometheusText {

    /** One sample line: its labels (in the order written) and value. */
    public record Sample(Map<String, String> labels, double value) {

        public Sample {
            labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }

        /** The label's value, or null when the sample has no such label. */
        public String label(String name) {
            return labels.get(name);
        }
    }

    private PrometheusText() {
    }

    /**
     * Every sample of {@code metric}, in the order written. Matches the exact metric name, so {@code x_total} does not
     * match {@code x_total_created}.
     */
    public static List<Sample> samples(String text, String metric) {
        return samples(text, List.of(metric)).get(metric);
    }

    /**
     * Every sample of each of {@code metrics}, read in one pass over {@code text}: by metric, in the order written;
     * a metric without samples maps to an empty list. For readers of several metrics from one scrape.
     */
    public static Map<String, List<Sample>> samples(String text, Collection<String> metrics) {
        Map<String, List<Sample>> found = new LinkedHashMap<>();
        for (String metric : metrics) {
            found.put(metric, new ArrayList<>());
        }
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int end = 0;
            while (end < line.length() && "{ \t".indexOf(line.charAt(end)) < 0) {
                end++;
            }
            List<Sample> into = end < line.length() ? found.get(line.substring(0, end)) : null;
            if (into != null) {
                Sample s = parse(line, end);
                if (s != null) {
                    into.add(s);
                }
            }
        }
        return found;
    }

    /** The sum of every sample of {@code metric} over all its label sets, or empty when the text has no sample of it. */
    public static OptionalDouble sum(String text, String metric) {
        List<Sample> samples = samples(text, metric);
        if (samples.isEmpty()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(samples.stream().mapToDouble(Sample::value).sum());
    }

    /** The sample on {@code line} whose metric name ends at {@code at}, or null when the line is not one. */
    private static Sample parse(String line, int at) {
        Map<String, String> labels = new LinkedHashMap<>();
        int i = at;
        char next = line.charAt(i);
        if (next == '{') {
            i = labels(line, i + 1, labels);
            if (i < 0) {
                return null;
            }
        } else if (next != ' ' && next != '\t') {
            return null; // a longer metric name that merely starts with this one
        }
        String[] rest = line.substring(i).trim().split("\\s+");
        if (rest.length == 0 || rest[0].isEmpty()) {
            return null;
        }
        try {
            double v = Double.parseDouble(rest[0]);
            return Double.isNaN(v) ? null : new Sample(labels, v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Reads {@code name="value"} pairs from {@code from} (just after the opening brace) into {@code labels}; returns
     * the index after the closing brace, or -1 when the label set is malformed. Values may hold escaped {@code \\},
     * {@code \"} and {@code \n}, and any other character, braces and commas included.
     */
    private static int labels(String line, int from, Map<String, String> labels) {
        int i = from;
        int n = line.length();
        while (i < n) {
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == ',')) {
                i++;
            }
            if (i < n && line.charAt(i) == '}') {
                return i + 1;
            }
            int eq = line.indexOf('=', i);
            if (eq < 0 || eq + 1 >= n || line.charAt(eq + 1) != '"') {
                return -1;
            }
            String name = line.substring(i, eq).trim();
            StringBuilder value = new StringBuilder();
            i = eq + 2;
            boolean closed = false;
            while (i < n) {
                char c = line.charAt(i++);
                if (c == '\\' && i < n) {
                    char e = line.charAt(i++);
                    value.append(e == 'n' ? '\n' : e);
                } else if (c == '"') {
                    closed = true;
                    break;
                } else {
                    value.append(c);
                }
            }
            if (!closed || name.isEmpty()) {
                return -1;
            }
            labels.put(name, value.toString());
        }
        return -1;
    }
}
