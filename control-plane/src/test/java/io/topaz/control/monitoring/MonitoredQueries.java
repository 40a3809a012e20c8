package io.topaz.control.monitoring;

import io.topaz.model.json.Json;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL expressions of docs/monitoring (the alert rules and the Grafana dashboard's targets) and the metric names
 * they select. A metric name is an identifier of the expression that is not a function (followed by {@code (}), not a
 * keyword, and not inside a label matcher, a range, a grouping list or a string.
 */
final class MonitoredQueries {

    static final Path DIR = locate();

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan");
    /** Series Prometheus makes itself rather than scraping them. */
    static final Set<String> SYNTHETIC = Set.of("up");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private MonitoredQueries() {
    }

    private static Path locate() {
        for (Path p : List.of(Path.of("docs", "monitoring"), Path.of("..", "docs", "monitoring"))) {
            if (Files.isDirectory(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("docs/monitoring not found from " + Path.of("").toAbsolutePath());
    }

    /** The {@code expr} of every alerting and recording rule in alerts.yml. */
    @SuppressWarnings("unchecked")
    static List<String> ruleExpressions() throws IOException {
        Map<String, Object> doc = new Yaml().load(Files.readString(DIR.resolve("alerts.yml")));
        List<String> out = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                out.add((String) rule.get("expr"));
            }
        }
        return out;
    }

    /** The {@code expr} of every target of every panel of the dashboard, nested rows included. */
    static List<String> dashboardExpressions() throws IOException {
        JsonNode dashboard = Json.lenient().readTree(Files.readString(DIR.resolve("grafana-dashboard.json")));
        List<String> out = new ArrayList<>();
        collect(dashboard.get("panels"), out);
        return out;
    }

    private static void collect(JsonNode panels, List<String> out) {
        if (panels == null) {
            return;
        }
        for (JsonNode panel : panels) {
            JsonNode targets = panel.get("targets");
            if (targets != null) {
                for (JsonNode t : targets) {
                    out.add(t.get("expr").asString());
                }
            }
            collect(panel.get("panels"), out);
        }
    }

    /** The dashboard's Grafana variables replaced by values Prometheus accepts. */
    static String asPromQl(String dashboardExpr) {
        return dashboardExpr.replace("$__rate_interval", "5m").replace("$agent", ".*").replace("$method", ".*");
    }

    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")      // strings
                .replaceAll("\\{[^}]*}", " ")                                  // label matchers
                .replaceAll("\\[[^]]*]", " ")                                  // ranges
                .replaceAll("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String word = m.group();
            int after = m.end();
            while (after < s.length() && Character.isWhitespace(s.charAt(after))) {
                after++;
            }
            boolean function = after < s.length() && s.charAt(after) == '(';
            boolean partOfNumber = m.start() > 0 && (Character.isDigit(s.charAt(m.start() - 1))
                    || s.charAt(m.start() - 1) == '.');
            if (!function && !partOfNumber && !KEYWORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }
}
