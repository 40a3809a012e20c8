package io.topaz.bench.traffic;

import io.netty.handler.codec.http.HttpMethod;
import io.topaz.bench.load.LoadGenerator;
import io.topaz.model.json.Json;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Traffic control end to end, through the agents' gateways (HTTP, signatures, metadata, flow control, the demo
 * upstream) of a running quickstart with Redis and a third agent ({@code scripts/bench-traffic-http.sh} sets it up):
 * <ol>
 *   <li>single node: an app-per-API limit of 1,500 QPS in {@code SINGLE_NODE} mode, so each of the three agents
 *       enforces its share of 500; agent 1 is offered 1,000 req/s;</li>
 *   <li>cluster: the same limit in {@code CLUSTER} mode (Redis); each agent is offered 1,000 req/s, 3,000 in all;</li>
 *   <li>priority: agent 1 sheds by tier with at most 20 calls in flight, in front of APIs that answer in 20 ms (a
 *       capacity of 1,000 calls/s), offered 3,000 calls/s: 20 % critical, 30 % normal, 50 % low.</li>
 * </ol>
 * Config is changed and published through the control plane's REST API, as an operator would.
 */
public final class TrafficHttpBench {

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String control = env("TOPAZ_CONTROL_URL");
    private final String token = env("TOPAZ_TOKEN");
    private final String appKey = env("TOPAZ_APP_KEY");
    private final String secret = env("TOPAZ_APP_SECRET");
    private final List<String> gateways = List.of(env("TOPAZ_GATEWAY_URL"),
            env("TOPAZ_GATEWAY_URL").replace(":8080/", ":8180/"), env("TOPAZ_AGENT3_GATEWAY_URL"));
    private final int seconds;

    private TrafficHttpBench(int seconds) {
        this.seconds = seconds;
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        String only = args.length > 1 ? args[1] : "all";
        TrafficHttpBench b = new TrafficHttpBench(seconds);
        try {
            if (only.equals("all") || only.equals("single")) {
                b.single();
            }
            if (only.equals("all") || only.equals("cluster")) {
                b.cluster();
            }
            if (only.equals("all") || only.equals("priority")) {
                b.priority();
            }
        } finally {
            b.cleanUp();
        }
    }

    void single() throws Exception {
        upsert("flow-rules", "bench-qps", "{\"id\":\"bench-qps\",\"scope\":\"APP_API\",\"method\":\"taobao.time.get\","
                + "\"appKey\":\"" + appKey + "\",\"qps\":1500,\"mode\":\"SINGLE_NODE\"}");
        publish("bench: 1500 QPS, single-node mode");
        LoadGenerator.Result r = load("agent-1", gateways.get(0), "taobao.time.get", Map.of(), "time_get_response", 1_000);
        report("single node (agent 1, share 500 of 1,500), offered 1,000 req/s", r, 500);
    }

    void cluster() throws Exception {
        upsert("flow-rules", "bench-qps", "{\"id\":\"bench-qps\",\"scope\":\"APP_API\",\"method\":\"taobao.time.get\","
                + "\"appKey\":\"" + appKey + "\",\"qps\":1500,\"mode\":\"CLUSTER\"}");
        publish("bench: 1500 QPS, cluster-wide");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<LoadGenerator.Result>> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String url = gateways.get(i);
            String name = "agent-" + (i + 1);
            runs.add(pool.submit(() -> load(name, url, "taobao.time.get", Map.of(), "time_get_response", 1_000)));
        }
        long passed = 0;
        for (Future<LoadGenerator.Result> f : runs) {
            LoadGenerator.Result r = f.get();
            report("  " + r.name() + ", offered 1,000 req/s", r, 500);
            passed += r.requests() - r.errors();
        }
        pool.shutdown();
        for (int admin : new int[]{8082, 8182, 8282}) {
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            metrics.lines().filter(l -> l.contains("rule=\"bench-qps\"") && !l.startsWith("#"))
                    .forEach(l -> System.out.println("    :" + admin + " " + l.replaceAll("agent=\"[^\"]*\",", "")));
        }
        double qps = passed / (double) seconds;
        System.out.printf(Locale.ROOT, "cluster of 3 agents on Redis, offered 3,000 req/s: passed %.1f QPS against a limit "
                + "of 1,500 (%+.2f %%)%n", qps, 100 * (qps - 1_500) / 1_500);
        delete("flow-rules", "bench-qps");
    }

    void priority() throws Exception {
        String[] tiers = {"critical", "normal", "low"};
        String groups = "\"basic\"";
        for (String t : tiers) {
            upsert("api-groups", "bench-" + t, "{\"name\":\"bench-" + t + "\",\"tier\":\"" + t.toUpperCase(Locale.ROOT)
                    + "\"}");
            upsert("apis", "topaz.demo.sleep." + t, "{\"method\":\"topaz.demo.sleep." + t + "\",\"apiGroup\":\"bench-" + t
                    + "\",\"upstreams\":[{\"url\":\"" + env("TOPAZ_DEMO_UPSTREAM_URL") + "/api\",\"weight\":100}],"
                    + "\"timeoutMillis\":5000,\"sessionRequired\":false,\"requiredParameters\":[]}");
            groups += ",\"bench-" + t + "\"";
        }
        send("PUT", "/api/v1/apps/" + appKey + "/groups", "{\"allowedApiGroups\":[" + groups + "]}");
        upsert("overload-rules", "local", "{\"id\":\"local\",\"cluster\":\"local\",\"maxInFlight\":20,"
                + "\"maxLatencyMillis\":100,\"criticalReservePercent\":20,\"lowSharePercent\":50}");
        publish("bench: shed by tier, 20 calls in flight per agent");
        int[] rates = {600, 900, 1_500};
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<LoadGenerator.Result>> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String method = "topaz.demo.sleep." + tiers[i];
            int rate = rates[i];
            runs.add(pool.submit(() -> load(method, gateways.get(0), method, Map.of("millis", "20"), "slept", rate)));
        }
        System.out.printf(Locale.ROOT, "priority: agent 1, 20 calls in flight x 20 ms (1,000 calls/s), offered 3,000 "
                + "calls/s for %d s%n", seconds);
        for (int i = 0; i < 3; i++) {
            LoadGenerator.Result r = runs.get(i).get();
            System.out.printf(Locale.ROOT, "  %-8s offered %7d passed %7d (%.2f %%)   p99 of all answers %.2f ms%n",
                    tiers[i], r.requests(), r.requests() - r.errors(),
                    100.0 * (r.requests() - r.errors()) / Math.max(1, r.requests()), r.p(99));
        }
        pool.shutdown();
    }

    void cleanUp() throws Exception {
        delete("flow-rules", "bench-qps");
        upsert("overload-rules", "local", "{\"id\":\"local\",\"cluster\":\"local\",\"maxInFlight\":4000,"
                + "\"maxLatencyMillis\":1000}");
        publish("bench: done, quickstart rules back");
    }

    LoadGenerator.Result load(String name, String gateway, String method, Map<String, String> extra, String expect,
                              int rate) throws Exception {
        Map<String, String> p = new TreeMap<>(extra);
        p.put("method", method);
        p.put("app_key", appKey);
        p.put("timestamp", LocalDateTime.now(ZoneId.of("Asia/Shanghai")).format(TS));
        p.put("v", "2.0");
        p.put("format", "json");
        p.put("sign_method", "hmac-sha256");
        p.put("sign", TopSigner.sign(p, null, secret, SignMethod.HMAC_SHA256));
        StringBuilder q = new StringBuilder();
        p.forEach((k, v) -> q.append(q.length() == 0 ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return LoadGenerator.run(name, URI.create(gateway + "?" + q), HttpMethod.GET, Map.of(), null, expect, 32,
                seconds, 5, rate);
    }

    void report(String what, LoadGenerator.Result r, long limit) {
        double qps = (r.requests() - r.errors()) / (double) seconds;
        System.out.printf(Locale.ROOT, "%s: passed %.1f QPS against %d (%+.2f %%), refused %.1f/s%n", what, qps, limit,
                100 * (qps - limit) / limit, r.errors() / (double) seconds);
    }

    void upsert(String kind, String key, String json) throws Exception {
        HttpResponse<String> got = send("GET", "/api/v1/" + kind + "/" + key, null);
        if (got.statusCode() == 200) {
            long version = Json.lenient().readTree(got.body()).get("version").asLong();
            check(send("PUT", "/api/v1/" + kind + "/" + key + "?version=" + version, json), 200);
        } else {
            check(send("POST", "/api/v1/" + kind, json), 201);
        }
    }

    void delete(String kind, String key) throws Exception {
        HttpResponse<String> got = send("GET", "/api/v1/" + kind + "/" + key, null);
        if (got.statusCode() == 200) {
            long version = Json.lenient().readTree(got.body()).get("version").asLong();
            check(send("DELETE", "/api/v1/" + kind + "/" + key + "?version=" + version, null), 204);
        }
    }

    void publish(String message) throws Exception {
        long revision = Json.lenient().readTree(send("GET", "/api/v1/draft/diff", null).body()).get("draftRevision").asLong();
        HttpResponse<String> r = send("POST", "/api/v1/releases",
                "{\"message\":\"" + message + "\",\"draftRevision\":" + revision + "}");
        if (r.statusCode() != 201) {
            return; // nothing changed
        }
        long number = Json.lenient().readTree(r.body()).get("number").asLong();
        for (int i = 0; i < 300; i++) {
            JsonNode fleet = Json.lenient().readTree(send("GET", "/api/v1/agents", null).body());
            boolean all = fleet.get("items").size() >= 3;
            for (JsonNode a : fleet.get("items")) {
                all &= a.get("appliedRelease").asLong() >= number;
            }
            if (all) {
                Thread.sleep(1_500); // the agents' Redis connections and metadata are warm after the first calls
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the agents did not apply release " + number);
    }

    HttpResponse<String> send(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(control + path))
                .header("Authorization", "Bearer " + token);
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void check(HttpResponse<String> r, int expected) {
        if (r.statusCode() != expected) {
            throw new IllegalStateException(r.request().method() + " " + r.request().uri() + " answered "
                    + r.statusCode() + ": " + r.body());
        }
    }

    static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set: run scripts/bench-traffic-http.sh");
        }
        return v;
    }
}
