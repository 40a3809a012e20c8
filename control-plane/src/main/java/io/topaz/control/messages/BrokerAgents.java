package io.topaz.control.messages;

import io.topaz.control.fleet.AdminPortProperties;
import io.topaz.control.fleet.FleetView;
import io.topaz.control.security.InternalAgentToken;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Calls the fleet's live agents: the broker ports' internal API ({@code /internal/v1/…}) with the control plane's
 * {@link InternalAgentToken}, and — for what agents serve there, such as the order sync's {@code /sync} — their admin
 * port. The admin port's GETs are open and are sent no token (the secret travels only where it is needed); anything
 * else there, such as {@code POST /sync/reconcile}, which loads the platform's order database, needs a token of role
 * AGENT and is sent the same {@link InternalAgentToken} (the operator's own token stays with the control plane, which
 * has checked its role and audits the request). Calls to several agents run at once; each is bounded by
 * {@code topaz.broker.request-timeout} and never fails: an agent that does not answer in time, refuses, or answers
 * other than 2xx is an {@link AgentAnswer#failed failed} answer the caller reports as unreachable.
 */
@Component
public class BrokerAgents {

    private static final Logger log = LoggerFactory.getLogger(BrokerAgents.class);
    static final String BROKER_PORT = "broker";
    /** The agents' admin port (health, metrics, {@code /sync}). */
    public static final String ADMIN_PORT = "admin";

    private final FleetView fleet;
    private final InternalAgentToken token;
    private final BrokerProperties settings;
    private final AdminPortProperties admin;
    private final HttpClient http;

    BrokerAgents(FleetView fleet, InternalAgentToken token, BrokerProperties settings, AdminPortProperties admin) {
        this.fleet = fleet;
        this.token = token;
        this.settings = settings;
        this.admin = admin;
        this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
    }

    /** The live agents that run a broker (their registration names a broker port), by cluster then id. */
    List<AgentInfo> brokers() throws Exception {
        List<AgentInfo> brokers = new ArrayList<>();
        for (AgentInfo a : fleet.agents()) {
            Integer port = a.ports().get(BROKER_PORT);
            if (port != null && port > 0) {
                brokers.add(a);
            }
        }
        return brokers;
    }

    /** {@code GET pathAndQuery} (already encoded) on each agent at once; the answers in the agents' order. */
    List<AgentAnswer> getAll(List<AgentInfo> agents, String pathAndQuery) {
        return joinAll(agents.stream().map(a -> get(a, pathAndQuery)).toList());
    }

    /** {@code POST path} with a JSON body on one agent. */
    CompletableFuture<AgentAnswer> post(AgentInfo agent, String path, Object body) {
        return send(agent, path, HttpRequest.BodyPublishers.ofByteArray(Json.write(body)), "POST");
    }

    /** {@code POST path} with a JSON body on each agent at once; the answers in the agents' order. */
    List<AgentAnswer> postAll(List<AgentInfo> agents, String path, Object body) {
        byte[] json = Json.write(body);
        return joinAll(agents.stream().map(a -> send(a, path, HttpRequest.BodyPublishers.ofByteArray(json), "POST")).toList());
    }

    CompletableFuture<AgentAnswer> get(AgentInfo agent, String pathAndQuery) {
        return send(agent, BROKER_PORT, pathAndQuery, HttpRequest.BodyPublishers.noBody(), "GET");
    }

    /** {@code GET path} on each agent's admin port at once; the answers in the agents' order. */
    public List<AgentAnswer> getAllAdmin(List<AgentInfo> agents, String pathAndQuery) {
        return joinAll(agents.stream().map(a -> send(a, ADMIN_PORT, pathAndQuery, HttpRequest.BodyPublishers.noBody(),
                "GET")).toList());
    }

    /** {@code POST path} with a JSON body on one agent's admin port, with the control plane's AGENT token. */
    public AgentAnswer postAdmin(AgentInfo agent, String path, Object body) {
        return send(agent, ADMIN_PORT, path, HttpRequest.BodyPublishers.ofByteArray(Json.write(body)), "POST").join();
    }

    /** The live agents, by cluster then id. */
    public List<AgentInfo> agents() throws Exception {
        return fleet.agents();
    }

    private CompletableFuture<AgentAnswer> send(AgentInfo agent, String pathAndQuery, HttpRequest.BodyPublisher body,
                                                String method) {
        return send(agent, BROKER_PORT, pathAndQuery, body, method);
    }

    private CompletableFuture<AgentAnswer> send(AgentInfo agent, String portName, String pathAndQuery,
                                                HttpRequest.BodyPublisher body, String method) {
        URI uri;
        try {
            Integer port = agent.ports().get(portName);
            if (port == null || port <= 0 || agent.host() == null || agent.host().isBlank()) {
                return CompletableFuture.completedFuture(AgentAnswer.failed(agent, "no " + portName + " port registered"));
            }
            boolean https = ADMIN_PORT.equals(portName) ? admin.https() : settings.https();
            uri = new URI((https ? "https://" : "http://") + hostForUri(agent.host()) + ":" + port + pathAndQuery);
        } catch (URISyntaxException e) {
            return CompletableFuture.completedFuture(AgentAnswer.failed(agent, "unusable address: " + e.getMessage()));
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
        if (BROKER_PORT.equals(portName) || !"GET".equals(method)) { // the admin port's GETs are open: sent none
            builder.header("Authorization", "Bearer " + token.secret());
        }
        HttpRequest request = builder
                .timeout(settings.requestTimeout())
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .method(method, body)
                .build();
        long timeoutMillis = settings.requestTimeout().toMillis();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> answer(agent, method, pathAndQuery, r))
                // the request timeout covers the answer, but not every stalled connect: bound the whole call
                .completeOnTimeout(AgentAnswer.failed(agent, "no answer within " + timeoutMillis + " ms"),
                        timeoutMillis * 2, TimeUnit.MILLISECONDS)
                .exceptionally(e -> {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    // the answer names the agent as unreachable; an agent that is down would fill the log at every poll
                    log.debug("agent {}: {} {} failed: {}", agent.id(), method, pathAndQuery, cause.toString());
                    return AgentAnswer.failed(agent, cause.getClass().getSimpleName());
                });
    }

    private static AgentAnswer answer(AgentInfo agent, String method, String path, HttpResponse<byte[]> r) {
        if (r.statusCode() / 100 != 2) {
            String text = new String(r.body(), StandardCharsets.UTF_8);
            String shown = text.length() > 300 ? text.substring(0, 300) + "…" : text;
            log.warn("agent {}: {} {} answered HTTP {}: {}", agent.id(), method, path, r.statusCode(), shown);
            return AgentAnswer.failed(agent, "HTTP " + r.statusCode() + (shown.isBlank() ? "" : ": " + shown));
        }
        try {
            JsonNode body = Json.lenient().readTree(r.body());
            if (body == null || !body.isObject()) {
                return AgentAnswer.failed(agent, "answer is not a JSON object");
            }
            return AgentAnswer.ok(agent, body);
        } catch (RuntimeException e) {
            log.warn("agent {}: {} {} answered unreadable JSON: {}", agent.id(), method, path, e.getMessage());
            return AgentAnswer.failed(agent, "answer is not JSON");
        }
    }

    private static String hostForUri(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static List<AgentAnswer> joinAll(List<CompletableFuture<AgentAnswer>> calls) {
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
        return calls.stream().map(CompletableFuture::join).toList();
    }
}
