package io.topaz.agent.sync.engine;

import io.topaz.agent.control.ControlPlaneUrls;
import io.topaz.agent.sync.SyncCredentials;
import io.topaz.model.json.Json;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The targets' passwords from the control plane's AGENT-role lookup
 * {@code GET /api/v1/metadata/sync-targets/{name}/password} → {@code {"password": "…"}} (404: none set, an empty
 * password). The agent's token authenticates; the password is never logged.
 */
public final class ControlPlaneCredentials implements SyncCredentials {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final ControlPlaneUrls urls;
    private final String token;
    private final HttpClient http;

    public ControlPlaneCredentials(String controlUrl, String token, Executor executor) {
        this.urls = ControlPlaneUrls.parse(controlUrl);
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).executor(executor).build();
    }

    @Override
    public CompletableFuture<String> password(String target) {
        String path = "/api/v1/metadata/sync-targets/" + URLEncoder.encode(target, StandardCharsets.UTF_8)
                .replace("+", "%20") + "/password";
        return urls.send(http, base -> HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token).GET().build()).thenApply(res -> {
            if (res.statusCode() == 404) {
                return "";
            }
            if (res.statusCode() != 200) {
                throw new IllegalStateException("the control plane answered HTTP " + res.statusCode()
                        + " to the password lookup of sync target " + target);
            }
            JsonNode body = Json.lenient().readTree(res.body());
            JsonNode p = body == null ? null : body.get("password");
            return p == null || p.isNull() ? "" : p.asString();
        });
    }
}
