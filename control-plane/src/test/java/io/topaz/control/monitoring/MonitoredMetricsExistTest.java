package io.topaz.control.monitoring;

import com.sun.net.httpserver.HttpServer;
import io.topaz.agent.AgentSettings;
import io.topaz.agent.TopazAgent;
import io.topaz.agent.metadata.MetadataSettings;
import io.topaz.control.ControlPlaneTestSupport;
import io.topaz.control.RestApi;
import io.topaz.control.TestZooKeeper;
import io.topaz.model.metrics.PrometheusText;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every metric the alert rules and the Grafana dashboard in docs/monitoring query exists on a running agent or a
 * running control plane: a real control plane, an agent with its gateway in-process, an upstream, a flow rule, and a
 * few calls (one served, one refused by the rule, one with a caller error), then both scrapes are read by name.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "management.defaults.metrics.export.enabled=true")
class MonitoredMetricsExistTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
    }

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyMetricTheRulesAndTheDashboardQueryIsServed() throws Exception {
        Set<String> queried = new TreeSet<>();
        List<String> expressions = new ArrayList<>(MonitoredQueries.ruleExpressions());
        MonitoredQueries.dashboardExpressions().forEach(e -> expressions.add(MonitoredQueries.asPromQl(e)));
        expressions.forEach(e -> queried.addAll(MonitoredQueries.metricNames(e)));
        queried.removeAll(MonitoredQueries.SYNTHETIC);
        assertThat(queried).as("the queries name metrics").hasSizeGreaterThan(15);

        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", ex -> {
            byte[] b = "{\"time\":\"2026-11-24 12:00:00\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        upstream.start();
        TopazAgent agent = null;
        try {
            RestApi admin = admin();
            RestApi op = withRole("OPERATOR");
            String secret = admin.post("/api/v1/apps", "{\"appKey\":\"mon-app\",\"name\":\"Mon\",\"owner\":\"isv\","
                    + "\"allowedApiGroups\":[\"basic\"]}").json("secret").asString();
            String url = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/u";
            assertThat(op.post("/api/v1/apis", api("taobao.time.get", "basic", url)).status()).isEqualTo(201);
            assertThat(op.post("/api/v1/flow-rules", "{\"id\":\"mon-limited\",\"scope\":\"APP_API\","
                    + "\"method\":\"taobao.time.get\",\"appKey\":\"mon-app\",\"qps\":1}").status()).isEqualTo(201);
            long release = op.publish("monitoring").json("number").asLong();
            String agentToken = admin.post("/api/v1/tokens", "{\"name\":\"mon-agents\",\"role\":\"AGENT\"}")
                    .json("token").asString();
            agent = TopazAgent.start(AgentSettings.of("mon-1", TestZooKeeper.connectString(), dataDir)
                    .withZkRoot(ROOT).withGatewayPort(freePort())
                    .withMetadata(new MetadataSettings("http://127.0.0.1:" + port, agentToken, null, null)),
                    Clock.systemUTC());
            TopazAgent started = agent;
            await().atMost(Duration.ofSeconds(15)).until(() -> started.appliedRelease() == release);

            String gateway = "http://127.0.0.1:" + agent.gatewayPort() + "/router/rest";
            for (int i = 0; i < 3; i++) { // qps 1: the first passes, the next are refused by the rule
                call(gateway, signed(secret, "taobao.time.get"));
            }
            call(gateway, signed(secret, "taobao.nothing.get")); // a caller error: code 22

            String agentText = get("http://127.0.0.1:" + agent.adminPort() + "/metrics", null);
            assertThat(agentText).contains("outcome=\"blocked\"");
            String viewerToken = admin.post("/api/v1/tokens", "{\"name\":\"mon-prometheus\",\"role\":\"VIEWER\"}")
                    .json("token").asString();
            String controlText = get("http://127.0.0.1:" + port + "/actuator/prometheus", viewerToken);

            Map<String, List<PrometheusText.Sample>> onAgent = PrometheusText.samples(agentText, queried);
            Map<String, List<PrometheusText.Sample>> onControlPlane = PrometheusText.samples(controlText, queried);
            Set<String> missing = queried.stream()
                    .filter(m -> onAgent.get(m).isEmpty() && onControlPlane.get(m).isEmpty())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(missing).as("metrics queried by docs/monitoring but served by neither the agent nor the "
                    + "control plane").isEmpty();
        } finally {
            if (agent != null) {
                agent.close();
            }
            upstream.stop(0);
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Map<String, String> signed(String secret, String method) {
        Map<String, String> p = new TreeMap<>();
        p.put("method", method);
        p.put("app_key", "mon-app");
        p.put("timestamp", LocalDateTime.now(ZoneId.of("GMT+8")).format(TS));
        p.put("v", "2.0");
        p.put("format", "json");
        p.put("sign_method", SignMethod.MD5.wireName());
        p.put("sign", TopSigner.sign(p, null, secret, SignMethod.MD5));
        return p;
    }

    private void call(String gateway, Map<String, String> params) throws Exception {
        String query = params.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway + "?" + query)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    private String get(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }
}
