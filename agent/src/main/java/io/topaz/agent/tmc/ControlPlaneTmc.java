package io.topaz.agent.tmc;

import io.topaz.agent.control.ControlPlaneUrls;
import io.topaz.agent.gateway.TopError;
import io.topaz.model.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The control plane's AGENT-role API of the message service's data ({@code /api/v1/metadata/tmc/apps/{appKey}/…}):
 * permits and consumer groups, which the permit and group methods change. Non-blocking ({@link HttpClient#sendAsync})
 * with the agent's token, as the metadata cache's L3, failing over between the control planes of {@code --control-url}. An answer is handed back with its status and JSON body; the
 * control plane unreachable, or answering 401/403/409/5xx, is code 10 {@code isp.control-plane-unavailable}
 * (retryable; nothing changed, or the change is safe to repeat).
 */
public final class ControlPlaneTmc {

    private static final Logger log = LoggerFactory.getLogger(ControlPlaneTmc.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** A status the caller maps (200, 400 with field errors, 404) and the JSON body (an empty object if none). */
    record Answer(int status, JsonNode body) {
    }

    private static final String PATH = "/api/v1/metadata/tmc/apps/";

    private final HttpClient http;
    private final ControlPlaneUrls urls;
    private final String token;

    /**
     * @param controlUrl one control plane or several, comma-separated (fail-over: {@link ControlPlaneUrls})
     * @param token      a control-plane token with the AGENT role
     */
    public ControlPlaneTmc(String controlUrl, String token, Executor executor) {
        this.urls = ControlPlaneUrls.parse(controlUrl);
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).executor(executor).build();
    }

    CompletableFuture<Answer> get(String appKey, String pathAndQuery) {
        return send(base -> HttpRequest.newBuilder(uri(base, appKey, pathAndQuery)).GET());
    }

    CompletableFuture<Answer> post(String appKey, String path, Object body) {
        byte[] json = Json.write(body);
        return send(base -> HttpRequest.newBuilder(uri(base, appKey, path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)));
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static URI uri(String base, String appKey, String rest) {
        return URI.create(base + PATH + encode(appKey) + "/" + rest);
    }

    private CompletableFuture<Answer> send(Function<String, HttpRequest.Builder> req) {
        return urls.send(http, base -> req.apply(base).timeout(TIMEOUT).header("Authorization", "Bearer " + token).build())
                .handle((res, err) -> {
            if (err != null) {
                throw unavailable("cannot be reached (" + BrokerErrors.unwrap(err).getClass().getSimpleName() + ")");
            }
            int s = res.statusCode();
            if (s == 200 || s == 201 || s == 400 || s == 404) {
                return new Answer(s, parse(res.body()));
            }
            if (s == 401 || s == 403) {
                log.warn("the control plane refused this agent's token ({}) for {}: is --agent-token a token with the "
                        + "AGENT role?", s, res.uri().getPath());
            }
            throw unavailable("answered HTTP " + s);
        });
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            return Json.lenient().readTree(body);
        } catch (JacksonException e) {
            return JsonNodeFactory.instance.objectNode();
        }
    }

    private static TmcFailure unavailable(String what) {
        return new TmcFailure(TopError.of(10, "isp.control-plane-unavailable", "the control plane, which keeps "
                + "permits and groups, " + what + "; retry later"));
    }
}
