package io.topaz.control.sync;

import com.github.benmanes.caffeine.cache.Ticker;
import io.topaz.agent.admin.AdminServer;
import io.topaz.agent.broker.cluster.ControlPlaneAuth;
import io.topaz.agent.fleet.Registration;
import io.topaz.agent.net.Transport;
import io.topaz.control.ControlPlaneTestSupport;
import io.topaz.control.RestApi;
import io.topaz.control.TestZooKeeper;
import io.topaz.control.fleet.FleetView;
import io.topaz.control.security.InternalAgentToken;
import io.topaz.control.traffic.FakeAgent;
import io.topaz.model.fleet.AgentInfo;
import io.topaz.model.json.Json;
import io.topaz.model.zk.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /api/v1/sync} against fake agents registered in the real ZooKeeper, whose admin ports serve {@code GET /sync}
 * and {@code POST /sync/reconcile} as the sync engine does: aggregation, an agent that does not answer listed as
 * unreachable, an agent without the engine left out, and a reconciliation forwarded to the lease holder only, with the
 * control plane's AGENT token — which a real agent's admin port admits, and without which it refuses the request.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SyncApiTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();
    private static final ZkLayout LAYOUT = new ZkLayout(ROOT);
    private static boolean published;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
        r.add("topaz.broker.request-timeout", () -> "500ms");
    }

    @Autowired
    FleetView fleet;

    @Autowired
    InternalAgentToken agentToken;

    private final List<FakeAgent> agents = new ArrayList<>();

    /** One target over two seller groups, with its app; published once for the class. */
    @BeforeEach
    void publishTarget() {
        if (published) {
            return;
        }
        RestApi op = withRole("OPERATOR");
        assertThat(admin().post("/api/v1/apps", "{\"appKey\":\"erp-app\",\"name\":\"ERP\",\"owner\":\"isv\","
                + "\"allowedApiGroups\":[]}").status()).isEqualTo(201);
        assertThat(op.post("/api/v1/seller-groups", "{\"name\":\"g1\",\"bucketFrom\":0,\"bucketTo\":512}").status())
                .isEqualTo(201);
        assertThat(op.post("/api/v1/seller-groups", "{\"name\":\"g2\",\"bucketFrom\":512,\"bucketTo\":1024}").status())
                .isEqualTo(201);
        assertThat(op.post("/api/v1/sync-targets", """
                {"name":"erp","appKey":"erp-app","jdbcUrl":"jdbc:mariadb://127.0.0.1:3306/jdp","user":"root",
                 "sellerGroups":["g1","g2"]}""").status()).isEqualTo(201);
        assertThat(op.publish("sync target").status()).isEqualTo(201);
        published = true;
    }

    @AfterEach
    void stopAgents() {
        agents.forEach(FakeAgent::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.agents().isEmpty());
    }

    private FakeAgent agent(String id) throws Exception {
        FakeAgent a = new FakeAgent(TestZooKeeper.connectString(), LAYOUT, id, 1_000);
        agents.add(a);
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.agents().stream().anyMatch(i -> i.id().equals(id)));
        return a;
    }

    static String group(String group, String holder, long messages, long reads) {
        return """
                {"target":"erp","group":"%s","holder":"%s","epoch":7,"lagP50Millis":40,"lagP99Millis":900,
                 "messages":%d,"sourceReads":%d,"readsSaved":40,"mergeRatio":2.5,"writes":150,"skipped":30,
                 "repairs":{"missed_message":3,"lost_write":1,"late_message":0},
                 "backfill":{"state":"done","copied":12000},"sellers":94,"sellersBackfilling":1,
                 "lastReconcile":"2026-12-06T09:00:00Z","errors":2,
                 "lastError":"connection refused","futureField":true}""".formatted(group, holder, messages, reads);
    }

    private static JsonNode groupOf(RestApi.Response r, String group) {
        for (JsonNode g : r.json("groups")) {
            if (g.get("group").asString().equals(group)) {
                return g;
            }
        }
        throw new AssertionError("no group " + group + " in " + r.raw());
    }

    @Test
    void statusGathersTheHoldersReportsAndListsSilentAgentsAsUnreachable() throws Exception {
        agent("agent-1").syncStatus("{\"groups\":[" + group("g1", "agent-1", 1000, 200) + "]}");
        // agent-2 also reports g1 (as a non-holder sees it): the holder's report wins
        agent("agent-2").syncStatus("{\"groups\":[" + group("g1", "agent-1", 5, 5) + "]}");
        agent("agent-3"); // no sync engine: 404, left out
        agent("agent-4").syncStatus("{\"groups\":[]}").closeAdminPort();

        RestApi.Response r = withRole("VIEWER").get("/api/v1/sync/status");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json("unreachable")).extracting(JsonNode::asString).containsExactly("agent-4");
        assertThat(r.json("groups")).hasSize(1);
        JsonNode g1 = groupOf(r, "g1");
        assertThat(g1.get("agentId").asString()).isEqualTo("agent-1");
        assertThat(g1.get("holder").asString()).isEqualTo("agent-1");
        assertThat(g1.get("epoch").asLong()).isEqualTo(7);
        assertThat(g1.get("lagP99Millis").asLong()).isEqualTo(900);
        assertThat(g1.get("mergeRatio").asDouble()).as("the agent's own figure").isEqualTo(2.5);
        assertThat(g1.get("readsSaved").asLong()).isEqualTo(40);
        assertThat(g1.get("readsSavedShare").asDouble()).as("1 - 200 reads / 1000 messages").isEqualTo(0.8);
        assertThat(g1.get("skipped").asLong()).isEqualTo(30);
        assertThat(g1.get("repairs").get("missed_message").asLong()).isEqualTo(3);
        assertThat(g1.get("repairs").get("late_message").asLong()).isZero();
        assertThat(g1.get("backfill").get("state").asString()).isEqualTo("done");
        assertThat(g1.get("backfill").get("copied").asLong()).isEqualTo(12000);
        assertThat(g1.get("sellers").asLong()).isEqualTo(94);
        assertThat(g1.get("sellersBackfilling").asLong()).isEqualTo(1);
        assertThat(g1.get("lastError").asString()).isEqualTo("connection refused");
        assertThat(r.json("notRunning")).singleElement()
                .satisfies(n -> assertThat(n.get("group").asString()).isEqualTo("g2"));
        JsonNode target = r.json("targets").get(0);
        assertThat(target.get("name").asString()).isEqualTo("erp");
        assertThat(target.get("passwordSet").asBoolean()).isFalse();
        assertThat(agents.get(0).seen()).allSatisfy(s -> assertThat(s.authorization())
                .as("the open admin port is sent no token").isNull());
    }

    @Test
    void aReconciliationGoesToTheLeaseHolderOnlyAndIsAudited() throws Exception {
        FakeAgent holder = agent("agent-1").syncStatus("{\"groups\":[" + group("g2", "agent-1", 10, 10) + "]}");
        FakeAgent other = agent("agent-2").syncStatus("{\"groups\":[" + group("g1", "agent-2", 10, 10) + "]}");
        String body = "{\"target\":\"erp\",\"group\":\"g2\",\"seller\":4200000001,\"from\":\"2026-12-01T00:00:00Z\"}";

        assertThat(withRole("OPERATOR").post("/api/v1/sync/reconcile", body).status()).as("admins only").isEqualTo(403);
        RestApi.Response r = admin().post("/api/v1/sync/reconcile", body);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json("agentId").asString()).isEqualTo("agent-1");
        assertThat(r.json("accepted").get("started").asBoolean()).isTrue();
        FakeAgent.Seen sent = holder.seen().stream().filter(s -> s.method().equals("POST")).findFirst().orElseThrow();
        assertThat(sent.path()).isEqualTo("/sync/reconcile");
        assertThat(sent.body()).contains("\"group\":\"g2\"").contains("\"seller\":4200000001")
                .contains("\"from\":\"2026-12-01T00:00:00Z\"").doesNotContain("\"to\"");
        assertThat(sent.authorization()).as("the admin port's POSTs need the control plane's AGENT token")
                .isEqualTo("Bearer " + agentToken.secret());
        assertThat(holder.seen()).filteredOn(s -> s.method().equals("GET"))
                .allSatisfy(s -> assertThat(s.authorization()).as("its GETs are open: sent none").isNull());
        assertThat(other.seen()).noneMatch(s -> s.method().equals("POST"));
        assertThat(admin().get("/api/v1/audit?kind=sync-targets&key=erp").raw()).contains("SYNC_RECONCILE")
                .contains("agent-1");

        holder.reconcileStatus(400);
        RestApi.Response refused = admin().post("/api/v1/sync/reconcile", body);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.raw()).contains("agent-1").contains("range refused by the fake");

        holder.reconcileStatus(403);
        RestApi.Response tokenRefused = admin().post("/api/v1/sync/reconcile", body);
        assertThat(tokenRefused.status()).as("not the operator's fault").isEqualTo(502);
        assertThat(tokenRefused.raw()).contains("did not accept the control plane's token").contains("--control-url");
    }

    /**
     * A real agent's admin port ({@link AdminServer}, checking tokens with {@link ControlPlaneAuth} against this
     * control plane, as an agent with a broker does), registered in ZooKeeper: an admin's {@code POST
     * /api/v1/sync/reconcile} reaches its route through the control plane; a POST straight to it without a token is
     * 401, with a VIEWER's 403, with an ADMIN's runs, and its GETs stay open.
     */
    @Test
    void aRealAdminPortRunsTheForwardedReconciliationAndRefusesAPostWithoutToken() throws Exception {
        List<String> reconciled = new CopyOnWriteArrayList<>();
        ExecutorService executor = Executors.newFixedThreadPool(2);
        AdminServer agentAdmin = new AdminServer(() -> Map.of("status", "UP"), () -> "");
        CuratorFramework curator = CuratorFrameworkFactory.newClient(TestZooKeeper.connectString(),
                new ExponentialBackoffRetry(100, 3));
        Registration registration = null;
        try {
            byte[] status = ("{\"groups\":[" + group("g1", "real-1", 10, 10) + "]}").getBytes(StandardCharsets.UTF_8);
            agentAdmin.route("/sync", (method, params, body) -> CompletableFuture.completedFuture(
                    Json.read(status, Map.class)));
            agentAdmin.route("/sync/reconcile", (method, params, body) -> {
                reconciled.add(new String(body, StandardCharsets.UTF_8));
                return CompletableFuture.completedFuture(Map.of("target", "erp", "groups", List.of()));
            });
            agentAdmin.authenticate(new ControlPlaneAuth("http://127.0.0.1:" + port, executor, Duration.ofSeconds(30),
                    Ticker.systemTicker()));
            int adminPort = agentAdmin.start("127.0.0.1", 0, Transport.NIO);
            curator.start();
            registration = new Registration(curator, LAYOUT, new AgentInfo("real-1", "zone-a", "c1", "127.0.0.1",
                    Map.of("admin", adminPort), "test", 1_000, 1, 1_000));
            registration.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> fleet.agents().stream()
                    .anyMatch(i -> i.id().equals("real-1")));

            RestApi.Response forwarded = admin().post("/api/v1/sync/reconcile",
                    "{\"target\":\"erp\",\"group\":\"g1\"}");
            assertThat(forwarded.status()).as(forwarded.raw()).isEqualTo(200);
            assertThat(forwarded.json("agentId").asString()).isEqualTo("real-1");
            assertThat(reconciled).singleElement().asString().contains("\"group\":\"g1\"");

            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + adminPort;
            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/sync/reconcile"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"erp\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            String viewer = admin().post("/api/v1/tokens", "{\"name\":\"sync-viewer-" + System.nanoTime()
                    + "\",\"role\":\"VIEWER\"}").body().get("token").asString();
            HttpResponse<String> byViewer = http.send(HttpRequest.newBuilder(URI.create(base + "/sync/reconcile"))
                    .header("Authorization", "Bearer " + viewer)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"erp\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(byViewer.statusCode()).isEqualTo(403);
            assertThat(reconciled).as("neither ran").hasSize(1);
            HttpResponse<String> byAdmin = http.send(HttpRequest.newBuilder(URI.create(base + "/sync/reconcile"))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"erp\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(byAdmin.statusCode()).isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/sync")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as("GET stays open").isEqualTo(200);
        } finally {
            if (registration != null) {
                registration.close();
            }
            curator.close();
            agentAdmin.close();
            executor.shutdownNow();
        }
    }

    @Test
    void aBadRequestIsRefusedFieldByFieldAndAGroupWithoutHolderIsAConflict() throws Exception {
        agent("agent-1").syncStatus("{\"groups\":[]}");
        RestApi.Response bad = admin().post("/api/v1/sync/reconcile",
                "{\"target\":\"nope\",\"group\":\"\",\"seller\":-1,\"from\":\"yesterday\"}");
        assertThat(bad.status()).isEqualTo(400);
        List<String> fields = new ArrayList<>();
        bad.json("errors").forEach(e -> fields.add(e.get("field").asString()));
        assertThat(fields).containsExactly("target", "group", "seller", "from");
        RestApi.Response wrongGroup = admin().post("/api/v1/sync/reconcile", "{\"target\":\"erp\",\"group\":\"g9\"}");
        assertThat(wrongGroup.status()).isEqualTo(400);
        assertThat(wrongGroup.raw()).contains("g1").contains("g2");
        RestApi.Response noHolder = admin().post("/api/v1/sync/reconcile", "{\"target\":\"erp\",\"group\":\"g1\"}");
        assertThat(noHolder.status()).isEqualTo(409);
        assertThat(noHolder.raw()).contains("no agent holds the lease");
    }
}
