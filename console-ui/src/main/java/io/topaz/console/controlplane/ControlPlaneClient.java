package io.topaz.console.controlplane;

import io.topaz.model.json.Json;
import io.topaz.model.release.PublishTimings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The control plane's REST API ({@code /api/v1}) for one signed-in token. Every method blocks on the network: call it
 * off the JavaFX thread. Failures are {@link ControlPlaneException}s; the token never appears in a message or log.
 */
public final class ControlPlaneClient {

    private static final Logger log = LoggerFactory.getLogger(ControlPlaneClient.class);
    private static final int PAGE = 1000;
    /** How much longer than the control plane's longest publish the console waits for its answer. */
    static final Duration PUBLISH_MARGIN = Duration.ofSeconds(15);

    static {
        // The relation the console relies on: it waits longer than the server's lock wait, or a slow publish would be
        // reported as failed while it lands. PublishTimings is what the control plane's ReleaseService waits with.
        if (PublishTimings.SERVER_MAX.plus(PUBLISH_MARGIN).compareTo(PublishTimings.LOCK_WAIT) <= 0) {
            throw new IllegalStateException("the console's publish timeout must exceed the control plane's lock wait");
        }
    }

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration requestTimeout;

    public ControlPlaneClient(URI base, String token, Duration connectTimeout, Duration requestTimeout) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.token = token;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
    }

    public ControlPlaneClient(URI base, String token) {
        this(base, token, Duration.ofSeconds(3), Duration.ofSeconds(15));
    }

    public URI base() {
        return base;
    }

    /** Whose token this is and its role. */
    public Operator me() {
        return read(send("GET", "/api/v1/me", null, null), Operator.class);
    }

    public Fleet fleet() {
        return read(send("GET", "/api/v1/agents", null, null), Fleet.class);
    }

    /** Each traffic-control rule's live pass and block rates, from the control plane's latest poll of the agents. */
    public TrafficRates trafficRates() {
        return read(send("GET", "/api/v1/traffic/rates", null, null), TrafficRates.class);
    }

    /** Every live agent's gateway rates with its last {@code points} rate points, from the control plane's poll. */
    public AgentsTraffic agentsTraffic(int points) {
        return read(send("GET", "/api/v1/traffic/agents?points=" + points, null, null), AgentsTraffic.class);
    }

    /** The rule's last {@code points} rate points, oldest first; NOT_FOUND when no agent has counted it lately. */
    public TrafficHistory trafficHistory(String kind, String rule, int points) {
        return read(send("GET", "/api/v1/traffic/rates/" + path(kind) + "/" + path(rule) + "/history?points=" + points,
                null, null), TrafficHistory.class);
    }

    /** Every broker agent's queues and the per-app totals, as the control plane gathered them just now. */
    public MessageQueues messageQueues() {
        return read(send("GET", "/api/v1/messages/queues", null, null), MessageQueues.class);
    }

    /** Every broker agent's push connections, as the control plane gathered them just now. */
    public PushConnections pushConnections() {
        return read(send("GET", "/api/v1/messages/connections", null, null), PushConnections.class);
    }

    /** Closes push connection {@code id} of agent {@code agentId} (admins); its unconfirmed messages are redelivered. */
    public PushConnections.Disconnected disconnect(String agentId, String id) {
        return read(send("DELETE", "/api/v1/messages/connections/" + path(agentId) + "/" + path(id), null, null),
                PushConnections.Disconnected.class);
    }

    /** Page {@code page} (from 0) of the app's dead letters over every broker agent, newest first. */
    public DeadLetterPage deadLetters(String app, int page, int size) {
        return read(send("GET", "/api/v1/messages/dead-letters?app=" + path(app) + "&page=" + page + "&size=" + size,
                null, null), DeadLetterPage.class);
    }

    /** Sends these dead letters of the app back to their queues (operators). */
    public DeadLetterPage.ActionResult replayDeadLetters(String app, List<Long> ids) {
        return read(send("POST", "/api/v1/messages/dead-letters/replay", Json.write(Map.of("app", app, "ids", ids)),
                null), DeadLetterPage.ActionResult.class);
    }

    /** Deletes these dead letters of the app (operators). */
    public DeadLetterPage.ActionResult purgeDeadLetters(String app, List<Long> ids) {
        return read(send("POST", "/api/v1/messages/dead-letters/purge", Json.write(Map.of("app", app, "ids", ids)),
                null), DeadLetterPage.ActionResult.class);
    }

    /** The order sync over the live agents, as the control plane gathered it just now. */
    public SyncStatus syncStatus() {
        return read(send("GET", "/api/v1/sync/status", null, null), SyncStatus.class);
    }

    /** Starts a full reconciliation of one seller group of a sync target on the agent syncing it (admins). */
    public SyncStatus.Reconcile reconcile(String target, String group) {
        return read(send("POST", "/api/v1/sync/reconcile", Json.write(Map.of("target", target, "group", group)), null),
                SyncStatus.Reconcile.class);
    }

    /** Where the control plane's leader placed each seller group, with the load the agents report. */
    public Placement placement() {
        return read(send("GET", "/api/v1/placement", null, null), Placement.class);
    }

    /** Places {@code group} on {@code agent}, a live agent of the group's cluster (operators); the new placement. */
    public Placement.Moved movePlacement(String group, String agent) {
        return read(send("POST", "/api/v1/placement/" + path(group) + "/move", Json.write(Map.of("agent", agent)), null),
                Placement.Moved.class);
    }

    /** Every entry of one kind in the draft (paging through the API), sorted by key. */
    public List<DraftItem> list(String kind) {
        List<DraftItem> all = new ArrayList<>();
        int offset = 0;
        while (true) {
            JsonNode page = readTree(send("GET", "/api/v1/" + kind + "?offset=" + offset + "&limit=" + PAGE, null, null));
            JsonNode items = page.get("items");
            for (JsonNode item : items) {
                all.add(Json.lenient().treeToValue(item, DraftItem.class));
            }
            int total = page.get("total").asInt();
            offset += items.size();
            if (items.isEmpty() || offset >= total) {
                return all;
            }
        }
    }

    public DraftItem create(String kind, Map<String, Object> value) {
        return read(send("POST", "/api/v1/" + kind, Json.write(value), null), DraftItem.class);
    }

    /** Replaces an entry if it is still at {@code version}; otherwise a {@link ControlPlaneException.Problem#CONFLICT}. */
    public DraftItem update(String kind, String key, long version, Map<String, Object> value) {
        return read(send("PUT", "/api/v1/" + kind + "/" + path(key), Json.write(value), version), DraftItem.class);
    }

    public void delete(String kind, String key, long version) {
        send("DELETE", "/api/v1/" + kind + "/" + path(key), null, version);
    }

    /** A page of apps (metadata, {@code /api/v1/apps}): never their secrets. */
    public record AppPage(List<AppRecord> items, int page, int size, long total) {
    }

    /** An app with a secret the control plane shows this once. */
    public record AppWithSecret(AppRecord app, String secret) {
        @Override
        public String toString() {
            return "AppWithSecret[app=" + app + ", secret=****]";
        }
    }

    public AppPage apps(String search, String status, int page, int size) {
        StringBuilder q = new StringBuilder("/api/v1/apps?page=" + page + "&size=" + size);
        if (search != null && !search.isBlank()) {
            q.append("&q=").append(path(search.trim()));
        }
        if (status != null && !status.isBlank()) {
            q.append("&status=").append(status);
        }
        return read(send("GET", q.toString(), null, null), AppPage.class);
    }

    public AppWithSecret createApp(Map<String, Object> app) {
        return read(send("POST", "/api/v1/apps", Json.write(app), null), AppWithSecret.class);
    }

    /** Enables or disables an app if it is still at {@code version}. */
    public AppRecord setAppEnabled(String appKey, boolean enabled, long version) {
        return read(send("POST", "/api/v1/apps/" + path(appKey) + (enabled ? "/enable" : "/disable"), null, version),
                AppRecord.class);
    }

    public AppRecord setAppGroups(String appKey, List<String> groups, long version) {
        return read(send("PUT", "/api/v1/apps/" + path(appKey) + "/groups",
                Json.write(Map.of("allowedApiGroups", groups)), version), AppRecord.class);
    }

    /** A new secret, shown once; the previous one keeps working for {@code graceSeconds}. */
    public AppWithSecret rotateSecret(String appKey, long graceSeconds, long version) {
        return read(send("POST", "/api/v1/apps/" + path(appKey) + "/secret",
                Json.write(Map.of("graceSeconds", graceSeconds)), version), AppWithSecret.class);
    }

    public AppRecord retirePreviousSecret(String appKey, long version) {
        return read(send("POST", "/api/v1/apps/" + path(appKey) + "/secret/retire-previous", null, version),
                AppRecord.class);
    }

    public DraftDiff diff() {
        return read(send("GET", "/api/v1/draft/diff", null, null), DraftDiff.class);
    }

    /** The newest {@code limit} releases, newest first. */
    public List<ReleaseSummary> releases(int limit) {
        return readList(send("GET", "/api/v1/releases?offset=0&limit=" + limit, null, null), ReleaseSummary.class);
    }

    /**
     * Publishes the draft at {@code draftRevision}, the revision of the diff the operator reviewed; refused (CONFLICT)
     * when the draft moved since. {@code idempotencyKey} (may be null) makes a repeat after a timeout answer the release
     * the first request made instead of publishing again. Waits up to {@link #publishTimeout()}.
     */
    public ReleaseSummary publish(long draftRevision, String message, String idempotencyKey) {
        return read(send("POST", "/api/v1/releases", Json.write(Map.of("message", message, "draftRevision", draftRevision)),
                null, idempotencyKey, publishTimeout()), ReleaseSummary.class);
    }

    /**
     * Republishes release {@code number} as a new release and resets the draft to it; a blank message lets the control
     * plane write one. {@code draftRevision} (may be null) is the draft revision the operator saw: the rollback is
     * refused if the draft moved since, so no one's newer draft work is discarded unseen.
     */
    public ReleaseSummary rollback(long number, String message, Long draftRevision, String idempotencyKey) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (message != null && !message.isBlank()) {
            body.put("message", message);
        }
        if (draftRevision != null) {
            body.put("draftRevision", draftRevision);
        }
        return read(send("POST", "/api/v1/releases/" + number + "/rollback", body.isEmpty() ? null : Json.write(body),
                null, idempotencyKey, publishTimeout()), ReleaseSummary.class);
    }

    /**
     * How long a publish or rollback may take before the console gives up: longer than the control plane's longest
     * answer (its wait for the publish lock plus the work), so the console never abandons a publish that is still going
     * to land, and never less than the ordinary request timeout.
     */
    public Duration publishTimeout() {
        Duration floor = PublishTimings.SERVER_MAX.plus(PUBLISH_MARGIN);
        return requestTimeout.compareTo(floor) > 0 ? requestTimeout : floor;
    }

    /** Audit events matching the filter, newest first. */
    public List<AuditEvent> audit(AuditFilter filter, int offset, int limit) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("from", filter.from());
        q.put("to", filter.to());
        q.put("kind", filter.kind());
        q.put("key", filter.key());
        q.put("release", filter.release());
        q.put("actor", filter.actor());
        q.put("offset", offset);
        q.put("limit", limit);
        StringBuilder query = new StringBuilder();
        q.forEach((k, v) -> {
            if (v != null && !v.toString().isBlank()) {
                query.append(query.isEmpty() ? '?' : '&').append(k).append('=')
                        .append(URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
            }
        });
        JsonNode page = readTree(send("GET", "/api/v1/audit" + query, null, null));
        JavaType type = Json.lenient().getTypeFactory().constructCollectionType(List.class, AuditEvent.class);
        return Json.lenient().treeToValue(page.get("events"), type);
    }

    private static String path(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private byte[] send(String method, String path, byte[] body, Long version) {
        return send(method, path, body, version, null, requestTimeout);
    }

    private byte[] send(String method, String path, byte[] body, Long version, String idempotencyKey, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + token);
        if (version != null) {
            b.header("If-Match", "\"" + version + "\"");
        }
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw ControlPlaneException.unreachable("the control plane at " + base + " did not answer within "
                    + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw ControlPlaneException.unreachable("cannot reach the control plane at " + base + " ("
                    + describe(e) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ControlPlaneException.unreachable("interrupted while calling the control plane");
        } catch (IllegalArgumentException e) {
            throw new ControlPlaneException(ControlPlaneException.Problem.FAILED, 0,
                    "'" + base + "' is not a usable control plane URL: " + e.getMessage(), List.of());
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return response.body();
        }
        throw error(method, path, status, response.body());
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    /** Turns the control plane's error body ({@code {status, error, message, errors[]}}) into an exception. */
    static ControlPlaneException error(String method, String path, int status, byte[] body) {
        String message = null;
        List<FieldProblem> problems = List.of();
        try {
            JsonNode node = Json.lenient().readTree(body);
            if (node != null && node.isObject()) {
                JsonNode m = node.get("message");
                message = m == null || m.isNull() ? null : m.asString();
                JsonNode errors = node.get("errors");
                if (errors != null && errors.isArray()) {
                    JavaType type = Json.lenient().getTypeFactory().constructCollectionType(List.class, FieldProblem.class);
                    problems = Json.lenient().treeToValue(errors, type);
                }
            }
        } catch (JacksonException e) {
            log.debug("{} {} answered {} with a body that is not JSON", method, path, status);
        }
        if (message == null || message.isBlank()) {
            message = method + " " + path + " failed with HTTP " + status;
        }
        return new ControlPlaneException(ControlPlaneException.problemOf(status), status, message, problems);
    }

    private static <T> T read(byte[] body, Class<T> type) {
        try {
            return Json.lenient().readValue(body, type);
        } catch (JacksonException e) {
            throw unreadable(e);
        }
    }

    private static <T> List<T> readList(byte[] body, Class<T> type) {
        try {
            JavaType t = Json.lenient().getTypeFactory().constructCollectionType(List.class, type);
            return Json.lenient().readValue(body, t);
        } catch (JacksonException e) {
            throw unreadable(e);
        }
    }

    private static JsonNode readTree(byte[] body) {
        try {
            return Json.lenient().readTree(body);
        } catch (JacksonException e) {
            throw unreadable(e);
        }
    }

    private static ControlPlaneException unreadable(JacksonException e) {
        return new ControlPlaneException(ControlPlaneException.Problem.FAILED, 200,
                "the control plane's answer could not be read (is this console older than the control plane?): "
                        + e.getOriginalMessage(), List.of());
    }
}
