package io.topaz.control.traffic;

import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.metrics.PrometheusText;
import io.topaz.model.metrics.PrometheusText.Sample;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Scrapes one agent's admin {@code /metrics} and reads its traffic-control counters, its gateway's call and error
 * counters and its ZooKeeper link:
 *
 * <pre>
 * topaz_traffic_decisions_total{kind="flow|quota|overload",rule="…",outcome="passed|blocked"}
 * topaz_traffic_fallback_total{kind="flow|quota",rule="…"}
 * topaz_traffic_fallback_active{kind="flow|quota",rule="…"}   0 or 1
 * topaz_gateway_requests_total{method="…"}                     summed over methods
 * topaz_gateway_errors_total{method="…",code="…"}              summed over methods and codes
 * topaz_zookeeper_connected                                    0 or 1
 * </pre>
 *
 * Other labels (e.g. {@code application}) are summed over. A traffic sample without {@code kind} or {@code rule}, or
 * with an unknown outcome, is ignored. An agent without a gateway serves no gateway counters: it counts 0 calls.
 */
final class AgentTrafficReader {

    static final String DECISIONS = "topaz_traffic_decisions_total";
    static final String FALLBACK = "topaz_traffic_fallback_total";
    static final String FALLBACK_ACTIVE = "topaz_traffic_fallback_active";
    static final String GATEWAY_REQUESTS = "topaz_gateway_requests_total";
    static final String GATEWAY_ERRORS = "topaz_gateway_errors_total";
    static final String ZOOKEEPER_CONNECTED = "topaz_zookeeper_connected";

    private final HttpClient http;
    private final Duration timeout;
    private final String scheme;

    /** @param scheme {@code http}, or {@code https} when the agents' admin ports serve TLS ({@code topaz.admin.https}) */
    AgentTrafficReader(Duration timeout, String scheme) {
        this.timeout = timeout;
        this.scheme = scheme;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * The agent's counters, or empty when it has no admin port, does not answer within the timeout, or answers
     * other than 200. Never completes exceptionally.
     */
    CompletableFuture<Optional<AgentCounters>> scrape(AgentInfo agent) {
        Integer port = agent.ports().get("admin");
        if (port == null || port <= 0 || agent.host() == null || agent.host().isBlank()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        URI uri;
        try {
            uri = new URI(scheme, null, agent.host(), port, "/metrics", null, null);
        } catch (URISyntaxException e) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> r.statusCode() == 200 ? Optional.of(parse(r.body())) : Optional.<AgentCounters>empty())
                // the request timeout covers the body too, but a stalled connect on some platforms does not: bound it
                .completeOnTimeout(Optional.empty(), timeout.toMillis() * 2, TimeUnit.MILLISECONDS)
                .exceptionally(e -> Optional.empty());
    }

    static AgentCounters parse(String text) {
        Map<String, List<Sample>> scraped = PrometheusText.samples(text,
                List.of(DECISIONS, FALLBACK, FALLBACK_ACTIVE, GATEWAY_REQUESTS, GATEWAY_ERRORS, ZOOKEEPER_CONNECTED));
        GatewayCounters gateway = new GatewayCounters(sum(scraped.get(GATEWAY_REQUESTS)),
                sum(scraped.get(GATEWAY_ERRORS)), sum(scraped.get(ZOOKEEPER_CONNECTED)) >= 1);
        return new AgentCounters(rules(scraped), gateway);
    }

    private static double sum(List<Sample> samples) {
        double total = 0;
        for (Sample s : samples) {
            total += s.value();
        }
        return total;
    }

    private static Map<RuleKey, RuleCounters> rules(Map<String, List<Sample>> scraped) {
        Map<RuleKey, RuleCounters> rules = new HashMap<>();
        for (Sample s : scraped.get(DECISIONS)) {
            RuleKey key = key(s);
            String outcome = s.label("outcome");
            if (key == null || outcome == null) {
                continue;
            }
            switch (outcome) {
                case "passed" -> rules.merge(key, new RuleCounters(s.value(), 0, 0, false), RuleCounters::plus);
                case "blocked" -> rules.merge(key, new RuleCounters(0, s.value(), 0, false), RuleCounters::plus);
                default -> {
                    // an outcome this control plane does not know yet: not a pass, not a block
                }
            }
        }
        for (Sample s : scraped.get(FALLBACK)) {
            RuleKey key = key(s);
            if (key != null) {
                rules.merge(key, new RuleCounters(0, 0, s.value(), false), RuleCounters::plus);
            }
        }
        for (Sample s : scraped.get(FALLBACK_ACTIVE)) {
            RuleKey key = key(s);
            if (key != null) {
                rules.merge(key, new RuleCounters(0, 0, 0, s.value() >= 1), RuleCounters::plus);
            }
        }
        return rules;
    }

    private static RuleKey key(Sample s) {
        String kind = s.label("kind");
        String rule = s.label("rule");
        return kind == null || rule == null || kind.isBlank() || rule.isBlank() ? null : new RuleKey(kind, rule);
    }
}
