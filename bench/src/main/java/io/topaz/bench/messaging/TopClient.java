package io.topaz.bench.messaging;

import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Signed TOP calls (docs/top-protocol.md) of one app over one keep-alive connection to an agent's gateway, as a TOP
 * SDK makes them: {@code POST /router/rest}, form-encoded, {@code sign_method=md5}, the timestamp in epoch
 * milliseconds. One thread at a time.
 */
final class TopClient implements Closeable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingHttp http;
    private final String path;
    private final String appKey;
    private final String secret;

    TopClient(URI routerRest, String appKey, String secret, int timeoutMillis) {
        this.http = new BlockingHttp(routerRest, timeoutMillis);
        this.path = routerRest.getRawPath();
        this.appKey = appKey;
        this.secret = secret;
    }

    /** A TOP {@code error_response}: the call was refused (nothing was done, or for produce: not acknowledged). */
    static final class TopError extends Exception {
        final JsonNode error;

        TopError(String method, JsonNode error) {
            super(method + ": " + error);
            this.error = error;
        }
    }

    /** Calls {@code method} and returns its {@code <name>_response} object. */
    JsonNode call(String method, Map<String, String> params) throws IOException, TopError {
        Map<String, String> p = new TreeMap<>(params);
        p.put("method", method);
        p.put("app_key", appKey);
        p.put("timestamp", Long.toString(System.currentTimeMillis()));
        p.put("v", "2.0");
        p.put("format", "json");
        p.put("sign_method", "md5");
        p.put("sign", TopSigner.sign(p, null, secret, SignMethod.MD5));
        StringBuilder form = new StringBuilder(2048);
        for (Map.Entry<String, String> e : p.entrySet()) {
            if (form.length() > 0) {
                form.append('&');
            }
            form.append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        BlockingHttp.Answer answer = http.post(path, "application/x-www-form-urlencoded; charset=UTF-8",
                form.toString().getBytes(StandardCharsets.UTF_8), null);
        JsonNode root;
        try {
            root = JSON.readTree(answer.body());
        } catch (RuntimeException e) {
            throw new IOException(method + ": HTTP " + answer.status() + ", not JSON: " + answer.text());
        }
        JsonNode error = root.get("error_response");
        if (error != null) {
            throw new TopError(method, error);
        }
        String name = method.substring(method.startsWith("taobao.") ? 7 : 0).replace('.', '_') + "_response";
        JsonNode response = root.get(name);
        if (answer.status() != 200 || response == null) {
            throw new IOException(method + ": HTTP " + answer.status() + ": " + answer.text());
        }
        return response;
    }

    @Override
    public void close() {
        http.close();
    }
}
