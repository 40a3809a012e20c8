package io.topaz.console;

import io.topaz.agent.AgentSettings;
import io.topaz.agent.TopazAgent;
import io.topaz.console.common.BackgroundWork;
import io.topaz.console.common.ConnectionStatus;
import io.topaz.console.common.Session;
import io.topaz.console.controlplane.ControlPlaneClient;
import io.topaz.console.controlplane.Operator;
import io.topaz.console.controlplane.Role;
import io.topaz.control.ControlPlaneApplication;
import io.topaz.model.json.Json;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * A real Topaz cluster for the console's tests, started once per test JVM: the control plane in process (Spring Boot,
 * its embedded ZooKeeper server, in-memory H2), and two agents in zone-a/blue and zone-b/green, seeded with the
 * quickstart's demo config and its first release applied by both agents.
 *
 * <p>Test classes share it, so each uses keys of its own and leaves the draft publishable (no broken references).
 */
public final class TestCluster {

    public static final String ADMIN_TOKEN = "tpz_console-test-admin-token-0123456789";
    private static TestCluster instance;
    private static final AtomicInteger TOKENS = new AtomicInteger();

    private final ConfigurableApplicationContext control;
    private final String url;
    private final String zkConnect;
    private final List<TopazAgent> agents;
    private final HttpClient http = HttpClient.newHttpClient();

    private TestCluster() throws Exception {
        Path dir = Files.createTempDirectory("topaz-console-test");
        int zkPort = freePort();
        int httpPort = freePort();
        // One shutdown hook, ours: agents first, while ZooKeeper (inside the control plane) still answers them.
        control = new SpringApplicationBuilder(ControlPlaneApplication.class).registerShutdownHook(false).run(
                "--server.port=" + httpPort,
                "--topaz.data-dir=" + dir.resolve("control-plane"),
                "--topaz.zookeeper.embedded-port=" + zkPort,
                "--topaz.security.bootstrap-admin-token=" + ADMIN_TOKEN,
                "--topaz.security.token-cache-ttl=0s",
                // the traffic screen's rates within a test's patience (5 s in normal use)
                "--topaz.traffic.poll-interval=500ms",
                "--topaz.traffic.scrape-timeout=500ms",
                "--spring.datasource.url=jdbc:h2:mem:console-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        url = "http://127.0.0.1:" + httpPort;
        zkConnect = "127.0.0.1:" + zkPort;
        agents = List.of(
                TopazAgent.start(AgentSettings.of("agent-1", zkConnect, dir.resolve("agent-1"))
                        .withPlacement("zone-a", "blue"), Clock.systemUTC()),
                TopazAgent.start(AgentSettings.of("agent-2", zkConnect, dir.resolve("agent-2"))
                        .withPlacement("zone-b", "green"), Clock.systemUTC()));
        seed();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agents.forEach(TopazAgent::close);
            control.close();
        }));
    }

    public static synchronized TestCluster get() {
        if (instance == null) {
            try {
                instance = new TestCluster();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the test cluster", e);
            }
        }
        return instance;
    }

    private void seed() {
        ControlPlaneClient admin = client(ADMIN_TOKEN);
        admin.create("agent-clusters", Map.of("name", "blue", "zones", List.of("zone-a"), "description", "first test cluster"));
        admin.create("agent-clusters", Map.of("name", "green", "zones", List.of("zone-b"), "description", "second test cluster"));
        admin.create("apis", Map.of("method", "taobao.time.get", "apiGroup", "basic",
                "upstreams", List.of(Map.of("url", "http://127.0.0.1:9090", "weight", 100))));
        admin.create("apis", Map.of("method", "taobao.trade.get", "apiGroup", "trade",
                "upstreams", List.of(Map.of("url", "http://10.0.0.1:8080", "weight", 100),
                        Map.of("url", "http://10.0.0.2:8080", "weight", 50)),
                "timeoutMillis", 2000, "sessionRequired", true, "requiredParameters", List.of("tid", "fields")));
        admin.create("flow-rules", Map.of("id", "time-get-qps", "scope", "API", "method", "taobao.time.get",
                "qps", 1000, "mode", "SINGLE_NODE"));
        admin.create("quota-rules", Map.of("id", "demo-app-trade-daily", "appKey", "demo-app", "apiGroup", "trade",
                "dailyLimit", 100000));
        admin.create("cache-rules", Map.of("kind", "APP"));
        long release = admin.publish(admin.diff().draftRevision(), "test cluster demo config", null).number();
        awaitApplied(release);
    }

    public void awaitApplied(long release) {
        await().atMost(Duration.ofSeconds(20)).until(() -> agents.stream().allMatch(a -> a.appliedRelease() >= release));
    }

    public String url() {
        return url;
    }

    public String zkConnect() {
        return zkConnect;
    }

    public List<TopazAgent> agents() {
        return agents;
    }

    public ControlPlaneClient client(String token) {
        return new ControlPlaneClient(URI.create(url), token);
    }

    /** A new token with this role (named {@code <role>-<n>}); the secret, as the control plane shows it once. */
    public String token(Role role) {
        String name = role.name().toLowerCase() + "-" + TOKENS.incrementAndGet();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/tokens"))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("cannot create a " + role + " token: " + r.body());
            }
            JsonNode body = Json.lenient().readTree(r.body());
            return body.get("token").asString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A signed-in session with a new token of this role, as the sign-in form would make it. */
    public Session session(Role role) {
        ControlPlaneClient client = client(role == Role.ADMIN ? ADMIN_TOKEN : token(role));
        Operator me = client.me();
        return new Session(client, me);
    }

    /** Background work that runs at once on the calling thread: view-model tests need no JavaFX thread. */
    public static BackgroundWork directWork() {
        return BackgroundWork.direct(new ConnectionStatus());
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
