package io.topaz.agent.sync;

import io.topaz.agent.control.ControlPlaneUrls;
import io.topaz.agent.metadata.MetadataClient;
import io.topaz.model.json.Json;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * {@link SellerPermits} read from the control plane ({@code GET /api/v1/metadata/tmc/apps/{appKey}/permits/sellers})
 * with the agent's AGENT token, failing over between the control planes of {@code --control-url}. Nothing is kept
 * here: the sync engine keeps each target's list ({@code PermittedSellers}) and asks again when a {@code TMC_USER}
 * metadata event says a seller's permits changed ({@link MetadataClient#onTmcUserChange}).
 */
public final class ControlPlaneSellerPermits implements SellerPermits {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String PATH = "/api/v1/metadata/tmc/apps/";

    private final HttpClient http;
    private final ControlPlaneUrls urls;
    private final String token;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public ControlPlaneSellerPermits(String controlUrl, String token, Executor executor) {
        this.urls = ControlPlaneUrls.parse(controlUrl);
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).executor(executor).build();
    }

    /** The agent's: its {@code --control-url} and AGENT token, told of changes by {@code metadata}'s events. */
    public static ControlPlaneSellerPermits create(String controlUrl, String token, Executor executor,
                                                  MetadataClient metadata) {
        ControlPlaneSellerPermits p = new ControlPlaneSellerPermits(controlUrl, token, executor);
        metadata.onTmcUserChange(user -> p.changed());
        return p;
    }

    @Override
    public CompletableFuture<List<Seller>> sellers(String appKey) {
        String path = PATH + URLEncoder.encode(appKey, StandardCharsets.UTF_8).replace("+", "%20")
                + "/permits/sellers";
        return urls.send(http, base -> HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(TIMEOUT)
                        .header("Authorization", "Bearer " + token)
                        .header("Accept", "application/json")
                        .GET().build())
                .thenApply(r -> answer(appKey, r));
    }

    @Override
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** Some seller's permits changed (or, after missed events, any may have). */
    public void changed() {
        listeners.forEach(Runnable::run);
    }

    static List<Seller> answer(String appKey, HttpResponse<byte[]> r) {
        int status = r.statusCode();
        if (status != 200) {
            String hint = status == 401 || status == 403
                    ? " (is --agent-token a control-plane token with the AGENT role?)"
                    : status == 404 ? " (no such app)" : "";
            throw new CompletionException(new IOException("the sellers who permitted app '" + appKey
                    + "': the control plane answered " + status + hint));
        }
        JsonNode body;
        try {
            body = Json.lenient().readTree(r.body());
        } catch (RuntimeException e) {
            body = null;
        }
        JsonNode sellers = body == null ? null : body.get("sellers");
        if (sellers == null || !sellers.isArray()) {
            throw new CompletionException(new IOException("the sellers who permitted app '" + appKey
                    + "': the control plane's answer has no seller list"));
        }
        List<Seller> out = new ArrayList<>(sellers.size());
        for (JsonNode s : sellers) {
            JsonNode id = s.get("userId");
            JsonNode nick = s.get("nick");
            if (id == null || !id.isIntegralNumber() || !id.canConvertToLong() || nick == null || !nick.isString()) {
                continue;
            }
            JsonNode at = s.get("permittedAt");
            out.add(new Seller(id.longValue(), nick.asString(), at == null ? 0 : at.asLong(0)));
        }
        return out;
    }
}
