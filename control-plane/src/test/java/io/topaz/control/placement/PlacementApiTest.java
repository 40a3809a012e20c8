package io.topaz.control.placement;

import io.topaz.control.ControlPlaneTestSupport;
import io.topaz.control.RestApi;
import io.topaz.control.TestZooKeeper;
import io.topaz.model.zk.ZkLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /api/v1/placement} on a running control plane (the leader, as the only instance) with fake syncing agents in
 * the real ZooKeeper: the leader places the published groups, the view carries the console's field names and the
 * agents' reported load, an operator's move is written and audited, and bad moves are refused field by field.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PlacementApiTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();
    private static final ZkLayout LAYOUT = new ZkLayout(ROOT);
    private static final List<FakeSyncAgent> AGENTS = new ArrayList<>();

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
    }

    @AfterAll
    static void stopAgents() {
        AGENTS.forEach(FakeSyncAgent::close);
    }

    /** Cluster blue over zones a and b with agents a1 and b1; range groups g1, g2 and a pin group; published once. */
    @BeforeEach
    void publishAndStartAgents() throws Exception {
        if (!AGENTS.isEmpty()) {
            return;
        }
        RestApi op = withRole("OPERATOR");
        assertThat(op.post("/api/v1/agent-clusters", "{\"name\":\"blue\",\"zones\":[\"a\",\"b\"],\"syncConnections\":4}")
                .status()).isEqualTo(201);
        assertThat(op.post("/api/v1/seller-groups", "{\"name\":\"g1\",\"bucketFrom\":0,\"bucketTo\":512}").status())
                .isEqualTo(201);
        assertThat(op.post("/api/v1/seller-groups", "{\"name\":\"g2\",\"bucketFrom\":512,\"bucketTo\":1024}").status())
                .isEqualTo(201);
        assertThat(op.post("/api/v1/seller-groups", "{\"name\":\"hot\",\"sellers\":[4200000001]}").status())
                .isEqualTo(201);
        for (String g : List.of("g1", "g2", "hot")) {
            assertThat(op.post("/api/v1/assignments", "{\"sellerGroup\":\"" + g + "\",\"cluster\":\"blue\"}").status())
                    .isEqualTo(201);
        }
        assertThat(op.publish("seller groups on blue").status()).isEqualTo(201);
        AGENTS.add(FakeSyncAgent.start(TestZooKeeper.connectString(), LAYOUT, "blue", "a1", "a", Map.of()));
        AGENTS.add(FakeSyncAgent.start(TestZooKeeper.connectString(), LAYOUT, "blue", "b1", "b", Map.of()));
        await().atMost(Duration.ofSeconds(15)).until(() -> blue(withRole("VIEWER").get("/api/v1/placement"))
                .get("unplaced").isEmpty());
    }

    private static JsonNode blue(RestApi.Response r) {
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        for (JsonNode c : r.json("clusters")) {
            if (c.get("name").asString().equals("blue")) {
                return c;
            }
        }
        throw new AssertionError("no cluster blue in " + r.raw());
    }

    private static JsonNode group(JsonNode cluster, String name) {
        for (JsonNode g : cluster.get("groups")) {
            if (g.get("group").asString().equals(name)) {
                return g;
            }
        }
        throw new AssertionError("no group " + name + " in " + cluster);
    }

    private Map<String, String> agentsOfGroups() {
        Map<String, String> out = new HashMap<>();
        blue(admin().get("/api/v1/placement")).get("groups")
                .forEach(g -> out.put(g.get("group").asString(), g.get("agent").asString()));
        return out;
    }

    @Test
    void theViewShowsEachGroupsPlacementAndTheLoadItsAgentReports() throws Exception {
        Map<String, String> on = agentsOfGroups();
        for (FakeSyncAgent a : AGENTS) {
            Map<String, Double> held = new HashMap<>();
            on.forEach((g, agent) -> {
                if (agent.equals(a.id)) {
                    held.put(g, 40.0);
                }
            });
            a.report(held);
        }
        RestApi viewer = withRole("VIEWER");
        await().atMost(Duration.ofSeconds(10)).until(() -> group(blue(viewer.get("/api/v1/placement")), "hot")
                .get("holding").asBoolean());

        RestApi.Response r = viewer.get("/api/v1/placement");
        assertThat(r.json("leader").asString()).isNotBlank();
        JsonNode blue = blue(r);
        assertThat(blue.get("zones").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(blue.get("syncConnections").asInt()).isEqualTo(4);
        int placed = 0;
        for (JsonNode a : blue.get("agents")) {
            String id = a.get("id").asString();
            assertThat(id).isIn("a1", "b1");
            assertThat(a.get("zone").asString()).isEqualTo(id.substring(0, 1));
            int groups = a.get("groups").asInt();
            long held = on.values().stream().filter(id::equals).count();
            assertThat(groups).isEqualTo((int) held);
            assertThat(a.get("changesPerSecond").asDouble()).isEqualTo(40.0 * held);
            assertThat(a.get("connections").asInt()).isEqualTo(2 * (int) held);
            placed += groups;
        }
        assertThat(placed).isEqualTo(3);
        JsonNode hot = group(blue, "hot");
        assertThat(hot.get("sellers").toString()).isEqualTo("[4200000001]");
        assertThat(hot.get("bucketFrom").isNull()).isTrue();
        assertThat(hot.get("agent").asString()).isEqualTo(on.get("hot"));
        assertThat(hot.get("zone").asString()).isEqualTo(on.get("hot").substring(0, 1));
        assertThat(hot.get("sinceMillis").asLong()).isPositive();
        assertThat(hot.get("reason").asString()).isEqualTo("initial");
        assertThat(hot.get("previousAgent").isNull()).isTrue();
        assertThat(hot.get("generation").asLong()).isEqualTo(1);
        assertThat(hot.get("changesPerSecond").asDouble()).isEqualTo(40.0);
        assertThat(hot.get("lagP99Millis").asLong()).isEqualTo(250);
        assertThat(hot.get("connections").asInt()).isEqualTo(2);
        assertThat(hot.get("backlog").asLong()).isEqualTo(7);
        assertThat(hot.get("hotSellers").get(0).get("sellerId").asLong()).isEqualTo(4200000001L);
        assertThat(hot.get("hotSellers").get(0).get("nick").asString()).isEqualTo("hot-shop");
        assertThat(hot.get("hotSellers").get(0).get("changesPerSecond").asDouble()).isEqualTo(20.0);
        JsonNode g1 = group(blue, "g1");
        assertThat(g1.get("bucketFrom").asInt()).isZero();
        assertThat(g1.get("bucketTo").asInt()).isEqualTo(512);
        assertThat(anonymous().get("/api/v1/placement").status()).isEqualTo(401);
    }

    @Test
    void anOperatorMovesAGroupToAnotherLiveAgentOfItsClusterAndTheMoveIsAudited() {
        String from = agentsOfGroups().get("g2");
        String to = from.equals("a1") ? "b1" : "a1";
        String body = "{\"agent\":\"" + to + "\"}";
        assertThat(withRole("VIEWER").post("/api/v1/placement/g2/move", body).status()).isEqualTo(403);

        RestApi.Response r = withRole("OPERATOR").post("/api/v1/placement/g2/move", body);

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json("agent").asString()).isEqualTo(to);
        assertThat(r.json("previousAgent").asString()).isEqualTo(from);
        assertThat(r.json("reason").asString()).isEqualTo("operator");
        assertThat(r.json("cluster").asString()).isEqualTo("blue");
        long generation = r.json("generation").asLong();
        await().atMost(Duration.ofSeconds(5)).until(() -> to.equals(agentsOfGroups().get("g2")));
        JsonNode g2 = group(blue(admin().get("/api/v1/placement")), "g2");
        assertThat(g2.get("reason").asString()).isEqualTo("operator");
        assertThat(g2.get("generation").asLong()).isEqualTo(generation);

        String audit = admin().get("/api/v1/audit?kind=placements&key=g2").raw();
        assertThat(audit).contains("PLACEMENT").contains("\"actor\":\"placer\"").contains("operator-")
                .contains("\\\"reason\\\":\\\"operator\\\"");
        RestApi.Response again = admin().post("/api/v1/placement/g2/move", body);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json("generation").asLong()).as("already there: nothing written").isEqualTo(generation);
    }

    @Test
    void badMovesAreRefusedNamingTheFieldAndAnotherClusterIsAConfigChange() {
        RestApi op = withRole("OPERATOR");
        RestApi.Response unknown = op.post("/api/v1/placement/nope/move", "{\"agent\":\"a1\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.raw()).contains("nope");

        RestApi.Response ghost = op.post("/api/v1/placement/g1/move", "{\"agent\":\"ghost\"}");
        assertThat(ghost.status()).isEqualTo(400);
        assertThat(ghost.json("errors").get(0).get("field").asString()).isEqualTo("agent");
        assertThat(ghost.raw()).contains("live syncing agent of cluster 'blue'").contains("a1").contains("b1");

        RestApi.Response cluster = op.post("/api/v1/placement/g1/move", "{\"agent\":\"blue\"}");
        assertThat(cluster.status()).isEqualTo(400);
        assertThat(cluster.json("errors").get(0).get("field").asString()).isEqualTo("agent");
        assertThat(cluster.raw()).contains("config change").contains("assignments['g1'].cluster");

        RestApi.Response missing = op.post("/api/v1/placement/g1/move", "{}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json("errors").get(0).get("field").asString()).isEqualTo("agent");
        RestApi.Response typo = op.post("/api/v1/placement/g1/move", "{\"agnet\":\"a1\"}");
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.json("errors").get(0).get("field").asString()).isEqualTo("agnet");
    }
}
