package io.topaz.console.fleet;

import io.topaz.console.controlplane.AgentStatus;
import io.topaz.model.metrics.PrometheusText;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Scrapes each agent's admin {@code /metrics} (the host and admin port from the fleet view), all agents at once.
 *
 * <p>The sparkline's counters are {@value #REQUESTS} and {@value #ERRORS}, summed over their labels. They are the
 * names the gateway (a later issue) will register; until an agent serves them, its sample has no counters and the
 * sparkline stays flat, without an error. {@value #ZOOKEEPER} is the agent's own gauge, 1 while connected.
 */
public final class AgentMetricsReader {

    static final String REQUESTS = "topaz_gateway_requests_total";
    static final String ERRORS = "topaz_gateway_errors_total";
    static final String ZOOKEEPER = "topaz_zookeeper_connected";

    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;

    public AgentMetricsReader(Duration timeout, Clock clock) {
        this.timeout = timeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** One sample per agent id; an agent that does not answer in time gets a "no answer" sample. Blocks. */
    Map<String, AgentSample> scrape(List<AgentStatus> agents) {
        Map<String, CompletableFuture<AgentSample>> pending = new LinkedHashMap<>();
        for (AgentStatus a : agents) {
            pending.put(a.id(), scrape(a));
        }
        Map<String, AgentSample> samples = new LinkedHashMap<>();
        pending.forEach((id, f) -> {
            AgentSample s;
            try {
                s = f.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                s = AgentSample.noAnswer(clock.instant());
            } catch (Exception e) {
                s = AgentSample.noAnswer(clock.instant());
            }
            samples.put(id, s);
        });
        return samples;
    }

    private CompletableFuture<AgentSample> scrape(AgentStatus agent) {
        if (agent.adminPort() <= 0 || agent.host() == null) {
            return CompletableFuture.completedFuture(AgentSample.noAnswer(clock.instant()));
        }
        URI uri;
        try {
            uri = new URI("http", null, agent.host(), agent.adminPort(), "/metrics", null, null);
        } catch (Exception e) {
            return CompletableFuture.completedFuture(AgentSample.noAnswer(clock.instant()));
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> r.statusCode() == 200 ? parse(r.body()) : AgentSample.noAnswer(clock.instant()))
                .exceptionally(e -> AgentSample.noAnswer(clock.instant()));
    }

    AgentSample parse(String text) {
        OptionalDouble zk = PrometheusText.sum(text, ZOOKEEPER);
        return new AgentSample(clock.instant(), true, zk.isPresent() && zk.getAsDouble() >= 1,
                PrometheusText.sum(text, REQUESTS), PrometheusText.sum(text, ERRORS));
    }
}
