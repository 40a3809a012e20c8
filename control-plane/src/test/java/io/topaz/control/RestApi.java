package io.topaz.control;

import io.topaz.model.json.Json;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client for the control plane's REST API, as an operator's script would use it. */
public final class RestApi {

    /** A response: status, parsed JSON body (null when empty), and the ETag header. */
    public record Response(int status, JsonNode body, String etag, String raw) {
        public JsonNode json(String field) {
            return body.get(field);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    public RestApi(String base, String token) {
        this.base = base;
        this.token = token;
    }

    public RestApi as(String otherToken) {
        return new RestApi(base, otherToken);
    }

    public Response get(String path) {
        return send(request(path).GET());
    }

    public Response post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json)));
    }

    /**
     * Publishes the draft as an operator's script does: reads the diff, then publishes its {@code draftRevision} with
     * {@code message}.
     */
    public Response publish(String message) {
        long revision = get("/api/v1/draft/diff").json("draftRevision").asLong();
        return publish(message, revision, null);
    }

    /** A publish of draft revision {@code revision}, with an {@code Idempotency-Key} when {@code key} is not null. */
    public Response publish(String message, long revision, String key) {
        String body = Json.lenient().writeValueAsString(java.util.Map.of("message", message, "draftRevision", revision));
        HttpRequest.Builder b = request("/api/v1/releases").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return send(b);
    }

    /** A POST of a body with this Content-Type, or none when {@code contentType} is null. */
    public Response postAs(String path, String contentType, String body) {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b);
    }

    /** A POST naming the version read, in If-Match. */
    public Response post(String path, String json, Long version) {
        HttpRequest.Builder b = request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json));
        if (version != null) {
            b.header("If-Match", "\"" + version + "\"");
        }
        return send(b);
    }

    /** A GET of a binary body. */
    public HttpResponse<byte[]> getBytes(String path) {
        try {
            return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response put(String path, String json, Long version) {
        HttpRequest.Builder b = request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json));
        if (version != null) {
            b.header("If-Match", "\"" + version + "\"");
        }
        return send(b);
    }

    public Response delete(String path, Long version) {
        HttpRequest.Builder b = request(path).DELETE();
        if (version != null) {
            b.header("If-Match", "\"" + version + "\"");
        }
        return send(b);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private Response send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            String raw = r.body();
            JsonNode body = null;
            if (raw != null && !raw.isBlank() && r.headers().firstValue("Content-Type").orElse("").contains("json")) {
                body = Json.lenient().readTree(raw);
            }
            return new Response(r.statusCode(), body, r.headers().firstValue("ETag").orElse(null), raw);
        } catch (Exception e) {
            throw new IllegalStateException("request failed: " + e.getMessage(), e);
        }
    }
}
