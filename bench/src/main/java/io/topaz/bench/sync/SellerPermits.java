package io.topaz.bench.sync;

import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Has the generator's sellers authorize an app, as sellers do on TOP: a session of the app for each seller (the
 * control plane issues it, {@code POST /api/v1/sessions}, as TOP's OAuth does), then {@code taobao.tmc.user.permit}
 * called through an agent's gateway by the app with that session (signed, {@code sign_method=md5}), for every topic
 * the app subscribes to. The order sync copies only the orders of sellers who authorized the sync target's app.
 */
final class SellerPermits {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String controlUrl;
    private final String adminToken;
    private final URI gateway;
    private final String appKey;
    private final String appSecret;

    /** @param gateway an agent's gateway, e.g. {@code http://127.0.0.1:8080/router/rest} */
    SellerPermits(String controlUrl, String adminToken, URI gateway, String appKey, String appSecret) {
        this.controlUrl = controlUrl;
        this.adminToken = adminToken;
        this.gateway = gateway;
        this.appKey = appKey;
        this.appSecret = appSecret;
    }

    /** Each seller permits the app (again, if it had: the permit is replaced, not duplicated). */
    void permitAll(List<TradeCenter.Seller> sellers) throws Exception {
        for (TradeCenter.Seller s : sellers) {
            permit(session(s), s);
        }
    }

    private String session(TradeCenter.Seller s) throws Exception {
        HttpRequest post = HttpRequest.newBuilder(URI.create(controlUrl + "/api/v1/sessions"))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"appKey\":\"" + appKey + "\",\"userId\":\"" + s.id()
                        + "\"}")).build();
        HttpResponse<String> r = http.send(post, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("a session of app " + appKey + " for seller " + s.nick() + " was refused: "
                    + "HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).path("sessionKey").asString();
    }

    /**
     * A session is known to the gateways once the control plane's "key created" event has reached them (their key
     * filters refuse unknown keys before asking); a permit sent milliseconds after the session was issued can be
     * refused as an invalid session, so it is retried for up to 10 s.
     */
    private void permit(String session, TradeCenter.Seller s) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                permitOnce(session, s);
                return;
            } catch (InvalidSession e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(e.getMessage());
                }
                Thread.sleep(200);
            }
        }
    }

    private static final class InvalidSession extends Exception {
        InvalidSession(String message) {
            super(message);
        }
    }

    private void permitOnce(String session, TradeCenter.Seller s) throws Exception {
        Map<String, String> p = new TreeMap<>();
        p.put("method", "taobao.tmc.user.permit");
        p.put("app_key", appKey);
        p.put("session", session);
        p.put("timestamp", Long.toString(System.currentTimeMillis()));
        p.put("v", "2.0");
        p.put("format", "json");
        p.put("sign_method", "md5");
        p.put("sign", TopSigner.sign(p, null, appSecret, SignMethod.MD5));
        StringBuilder form = new StringBuilder();
        for (Map.Entry<String, String> e : p.entrySet()) {
            form.append(form.isEmpty() ? "" : "&").append(e.getKey()).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        HttpRequest post = HttpRequest.newBuilder(gateway).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build();
        HttpResponse<String> r = http.send(post, HttpResponse.BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(r.body());
        if ("isv.invalid-session".equals(answer.path("error_response").path("sub_code").asString())) {
            throw new InvalidSession("seller " + s.nick() + " could not permit app " + appKey + ": " + r.body());
        }
        if (r.statusCode() != 200 || !answer.path("tmc_user_permit_response").path("is_success").asBoolean()) {
            throw new IllegalStateException("seller " + s.nick() + " could not permit app " + appKey + ": HTTP "
                    + r.statusCode() + " " + r.body());
        }
    }
}
