package io.topaz.agent.metadata;

import io.topaz.agent.control.ControlPlaneUrls;
import io.topaz.model.config.MetadataKind;
import io.topaz.model.json.Json;
import io.topaz.model.metadata.AppMetadata;
import io.topaz.model.metadata.KeyFilter;
import io.topaz.model.metadata.MetadataLookup;
import io.topaz.model.metadata.SessionMetadata;
import io.topaz.model.metadata.TmcGroups;
import io.topaz.model.metadata.TmcUser;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * L3 over HTTP (apps, sessions, and the message service's permits, groups and nicks): {@code POST /api/v1/metadata/lookup} and {@code GET /api/v1/metadata/filters/{kind}} with the agent's
 * token. Non-blocking ({@link HttpClient#sendAsync}); no thread waits for the control plane. With several control
 * planes in {@code --control-url}, a call fails over to the next when one cannot be reached or answers 5xx.
 */
final class ControlPlaneSource implements MetadataSource {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final HttpClient http;
    private final ControlPlaneUrls urls;
    private final String token;

    /** @param controlUrl one control plane's URL or several, comma-separated ({@link ControlPlaneUrls}) */
    ControlPlaneSource(String controlUrl, String token, Executor executor) {
        this.urls = ControlPlaneUrls.parse(controlUrl);
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).executor(executor).build();
    }

    @Override
    public CompletableFuture<Map<String, AppMetadata>> apps(Set<String> appKeys) {
        return post(new MetadataLookup.Request(List.copyOf(appKeys), List.of())).thenApply(MetadataLookup.Response::apps);
    }

    @Override
    public CompletableFuture<Map<String, SessionMetadata>> sessions(Set<String> keyHashes) {
        return post(new MetadataLookup.Request(List.of(), List.copyOf(keyHashes))).thenApply(MetadataLookup.Response::sessions);
    }

    @Override
    public CompletableFuture<Map<String, TmcUser>> tmcUsers(Set<String> userIds) {
        return post(new MetadataLookup.Request(List.of(), List.of(), List.copyOf(userIds), List.of()))
                .thenApply(MetadataLookup.Response::tmcUsers);
    }

    @Override
    public CompletableFuture<Map<String, TmcGroups>> tmcGroups(Set<String> appKeys) {
        return post(new MetadataLookup.Request(List.of(), List.of(), List.of(), List.copyOf(appKeys)))
                .thenApply(MetadataLookup.Response::tmcGroups);
    }

    @Override
    public CompletableFuture<Map<String, String>> tmcNicks(Set<String> nicks) {
        return post(new MetadataLookup.Request(List.of(), List.of(), List.of(), List.of(), List.copyOf(nicks)))
                .thenApply(MetadataLookup.Response::tmcNicks);
    }

    @Override
    public CompletableFuture<KeyFilter> filter(MetadataKind kind, double falsePositiveRate) {
        return urls.send(http, base -> HttpRequest.newBuilder(URI.create(base + "/api/v1/metadata/filters/"
                        + kind.name().toLowerCase(Locale.ROOT) + "?fpp=" + falsePositiveRate))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .GET().build()).thenApply(r -> {
            check(r.statusCode(), "key filter " + kind);
            long expected = Long.parseLong(r.headers().firstValue("X-Topaz-Expected-Insertions").orElse("0"));
            return KeyFilter.fromBytes(r.body(), expected, falsePositiveRate);
        });
    }

    private CompletableFuture<MetadataLookup.Response> post(MetadataLookup.Request body) {
        byte[] json = Json.write(body);
        return urls.send(http, base -> HttpRequest.newBuilder(URI.create(base + "/api/v1/metadata/lookup"))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build()).thenApply(r -> {
            check(r.statusCode(), "metadata lookup");
            return Json.read(r.body(), MetadataLookup.Response.class);
        });
    }

    private static void check(int status, String what) {
        if (status != 200) {
            String hint = status == 401 || status == 403
                    ? " (is --agent-token a control-plane token with the AGENT role?)" : "";
            throw new CompletionException(new IOException(what + ": the control plane answered " + status + hint));
        }
    }
}
