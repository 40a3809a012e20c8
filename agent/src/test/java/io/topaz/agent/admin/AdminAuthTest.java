package io.topaz.agent.admin;

import com.github.benmanes.caffeine.cache.Ticker;
import com.sun.net.httpserver.HttpServer;
import io.topaz.agent.broker.cluster.ControlPlaneAuth;
import io.topaz.agent.net.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin port's token check on a real {@link AdminServer} (port 0), with the broker port's {@link ControlPlaneAuth}
 * asking a fake control plane's {@code GET /api/v1/me}: GET stays open, anything else needs a token of role AGENT (the
 * control plane's own) or ADMIN, and the check never holds up the event loop.
 */
class AdminAuthTest {

    private static final String AGENT = "tpz_control-plane-broker";
    private static final String ADMIN = "tpz_admin";
    private static final String VIEWER = "tpz_viewer";
    private static final String PUBLISHER = "tpz_publisher";
    /** A token whose check the control plane answers only once {@link #slowAnswer} is counted down. */
    private static final String SLOW = "tpz_slow";

    private final CountDownLatch slowAsked = new CountDownLatch(1);
    private final CountDownLatch slowAnswer = new CountDownLatch(1);
    private final List<String> reconciled = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private HttpServer controlPlane;
    private ExecutorService executor;
    private AdminServer admin;
    private String base;

    @BeforeEach
    void start() throws Exception {
        controlPlane = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        Map<String, String> roles = Map.of(AGENT, "AGENT", ADMIN, "ADMIN", VIEWER, "VIEWER", PUBLISHER, "PUBLISHER",
                SLOW, "AGENT");
        controlPlane.createContext("/api/v1/me", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String token = auth == null ? "" : auth.substring("Bearer ".length());
            if (token.equals(SLOW)) {
                slowAsked.countDown();
                try {
                    slowAnswer.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String role = roles.get(token);
            byte[] body = (role == null ? "{\"error\":\"unauthorized\"}"
                    : "{\"name\":\"" + token + "-name\",\"role\":\"" + role + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(role == null ? 401 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        controlPlane.setExecutor(Executors.newCachedThreadPool());
        controlPlane.start();
        executor = Executors.newFixedThreadPool(2);
        admin = new AdminServer(() -> Map.of("status", "UP"), () -> "topaz_up 1.0\n");
        admin.route("/sync", (method, params, body) -> CompletableFuture.completedFuture(Map.of("groups", List.of())));
        admin.route("/sync/reconcile", (method, params, body) -> {
            reconciled.add(new String(body, StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(new java.util.TreeMap<>(Map.of("target", "demo", "groups",
                    List.of()))); // (sorted: the answer's JSON is compared as text)
        });
        admin.authenticate(new ControlPlaneAuth("http://127.0.0.1:" + controlPlane.getAddress().getPort(), executor,
                Duration.ofSeconds(30), Ticker.systemTicker()));
        base = "http://127.0.0.1:" + admin.start("127.0.0.1", 0, Transport.NIO);
    }

    @AfterEach
    void stop() {
        slowAnswer.countDown();
        admin.close();
        controlPlane.stop(0);
        executor.shutdownNow();
    }

    private HttpResponse<String> post(String path, String token) throws Exception {
        return http.send(request(path, token).POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"demo\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path, null).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    @Test
    void aPostWithoutATokenIs401AndNeverRuns() throws Exception {
        HttpResponse<String> r = post("/sync/reconcile", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).startsWith("{\"error\":\"POST on the admin port needs a control-plane token")
                .doesNotContain("Exception");
        HttpResponse<String> notBearer = http.send(request("/sync/reconcile", null).header("Authorization",
                "Basic YWRtaW46YWRtaW4=").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(notBearer.statusCode()).isEqualTo(401);
        assertThat(reconciled).isEmpty();
    }

    @Test
    void anUnknownTokenOrARoleNotAdmittedIs403() throws Exception {
        HttpResponse<String> unknown = post("/sync/reconcile", "tpz_nobody");
        assertThat(unknown.statusCode()).isEqualTo(403);
        assertThat(unknown.body()).isEqualTo("{\"error\":\"unknown or expired token\"}");
        for (String token : List.of(VIEWER, PUBLISHER)) {
            HttpResponse<String> r = post("/sync/reconcile", token);
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("may not POST /sync/reconcile on the admin port; needs ADMIN or AGENT");
        }
        assertThat(reconciled).isEmpty();
    }

    @Test
    void theControlPlanesAgentTokenAndAnAdminTokenRunTheRoute() throws Exception {
        HttpResponse<String> byControlPlane = post("/sync/reconcile", AGENT);
        assertThat(byControlPlane.statusCode()).isEqualTo(200);
        assertThat(byControlPlane.body()).isEqualTo("{\"groups\":[],\"target\":\"demo\"}");
        assertThat(post("/sync/reconcile", ADMIN).statusCode()).isEqualTo(200);
        assertThat(post("/sync/reconcile", AGENT).statusCode()).as("again, from the cache").isEqualTo(200);
        assertThat(reconciled).containsExactly("{\"target\":\"demo\"}", "{\"target\":\"demo\"}",
                "{\"target\":\"demo\"}");
        HttpResponse<String> health = http.send(request("/health", AGENT).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).as("admitted, then the usual answer").isEqualTo(405);
    }

    @Test
    void getStaysOpen() throws Exception {
        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("topaz_up 1.0");
        assertThat(get("/sync").statusCode()).isEqualTo(200);
        HttpResponse<Void> head = http.send(request("/health", null).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
    }

    @Test
    void aSlowTokenCheckDoesNotHoldUpTheEventLoop() throws Exception {
        CompletableFuture<HttpResponse<String>> pending = http.sendAsync(request("/sync/reconcile", SLOW)
                .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"demo\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(slowAsked.await(10, TimeUnit.SECONDS)).isTrue();
        // the admin port has one event-loop thread: it answers others while the control plane has not answered yet
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(post("/sync/reconcile", AGENT).statusCode()).isEqualTo(200);
        assertThat(pending).isNotDone();
        slowAnswer.countDown();
        assertThat(pending.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(reconciled).hasSize(2);
    }

    @Test
    void aControlPlaneThatCannotBeAskedIs503NotAPass() throws Exception {
        controlPlane.stop(0);
        HttpResponse<String> r = post("/sync/reconcile", "tpz_not-cached-yet");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("{\"error\":\"cannot check the token: the control plane cannot be reached\"}");
        assertThat(reconciled).isEmpty();
    }
}
