package io.topaz.control;

import io.topaz.agent.AgentSettings;
import io.topaz.agent.TopazAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Publish and rollback through the REST API reach every agent; the fleet view shows who has applied what. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PushToAgentsTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();
    private static final List<TopazAgent> agents = new ArrayList<>();

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
    }

    @BeforeAll
    static void startAgents() throws Exception {
        for (int i = 1; i <= 3; i++) {
            AgentSettings s = AgentSettings.of("push-" + i, TestZooKeeper.connectString(), dataDir.resolve("a" + i))
                    .withZkRoot(ROOT).withPlacement("zone-" + (i % 2), "c1");
            agents.add(TopazAgent.start(s, Clock.systemUTC()));
        }
    }

    @AfterAll
    static void stopAgents() {
        agents.forEach(TopazAgent::close);
    }

    @Test
    void publishAndRollbackReachEveryAgent() {
        RestApi op = withRole("OPERATOR");
        assertThat(op.post("/api/v1/apis", api("taobao.item.get", "items", "http://127.0.0.1:9090")).status()).isEqualTo(201);
        long r1 = op.publish("v1").json("number").asLong();
        awaitAll(r1);
        for (TopazAgent a : agents) {
            assertThat(a.snapshot().apis().get("taobao.item.get").upstreams().get(0).url()).isEqualTo("http://127.0.0.1:9090");
        }

        assertThat(op.put("/api/v1/apis/taobao.item.get", api("taobao.item.get", "items", "http://127.0.0.1:9191"), 1L).status())
                .isEqualTo(200);
        assertThat(op.post("/api/v1/apis", api("taobao.item.add", "items", "http://127.0.0.1:9191")).status()).isEqualTo(201);
        long r2 = op.publish("v2").json("number").asLong();
        awaitAll(r2);
        assertThat(agents).allSatisfy(a -> assertThat(a.snapshot().apis()).containsKeys("taobao.item.get", "taobao.item.add"));

        long r3 = op.post("/api/v1/releases/" + r1 + "/rollback", "{\"message\":\"back to v1\"}").json("number").asLong();
        assertThat(r3).isGreaterThan(r2);
        awaitAll(r3);
        for (TopazAgent a : agents) {
            assertThat(a.snapshot().apis()).containsOnlyKeys("taobao.item.get");
            assertThat(a.snapshot().apis().get("taobao.item.get").upstreams().get(0).url()).isEqualTo("http://127.0.0.1:9090");
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode fleet = op.get("/api/v1/agents").body();
            assertThat(fleet.get("liveRelease").asLong()).isEqualTo(r3);
            assertThat(fleet.get("agents").asInt()).isEqualTo(3);
            assertThat(fleet.get("lagging").asInt()).isZero();
            JsonNode first = fleet.get("items").get(0);
            assertThat(first.get("cluster").asString()).isEqualTo("c1");
            assertThat(first.get("appliedRelease").asLong()).isEqualTo(r3);
            assertThat(first.get("ports").get("admin").asInt()).isPositive();
            assertThat(first.get("startedAt").asString()).isNotBlank();
        });
        assertThat(op.get("/api/v1/agents?zone=zone-1").json("agents").asInt()).isEqualTo(2);
    }

    @Test
    void fleetViewShowsAnAgentThatLags() throws Exception {
        RestApi op = withRole("OPERATOR");
        TopazAgent stuck = agents.get(0);
        long before = stuck.appliedRelease();
        stuck.close();
        AgentSettings s = AgentSettings.of("lagging", TestZooKeeper.connectString(), dataDir.resolve("lag"))
                .withZkRoot("/elsewhere"); // registered nowhere near ROOT: never sees ROOT's releases
        try (TopazAgent other = TopazAgent.start(s, Clock.systemUTC())) {
            assertThat(other.appliedRelease()).isZero();
        }
        AgentSettings restarted = AgentSettings.of("push-1", TestZooKeeper.connectString(), dataDir.resolve("a1"))
                .withZkRoot(ROOT).withPlacement("zone-1", "c1");
        agents.set(0, TopazAgent.start(restarted, Clock.systemUTC()));
        assertThat(agents.get(0).appliedRelease()).isEqualTo(before); // booted from its local release
        assertThat(op.post("/api/v1/agent-clusters", "{\"name\":\"lag-test\",\"zone\":\"z\"}").status()).isEqualTo(201);
        long next = op.publish("lag").json("number").asLong();
        awaitAll(next);
    }

    private static void awaitAll(long release) {
        await().atMost(Duration.ofSeconds(15)).until(() -> agents.stream().allMatch(a -> a.appliedRelease() == release));
    }
}
