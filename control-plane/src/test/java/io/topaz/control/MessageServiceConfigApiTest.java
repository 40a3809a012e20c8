package io.topaz.control;

import io.topaz.agent.AgentSettings;
import io.topaz.agent.TopazAgent;
import io.topaz.model.config.Topic;
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

/**
 * Topics and subscriptions go the way of every config kind: validated drafts, diff, publish (refused while a
 * subscription names a missing topic), the applied snapshot of a real agent, rollback and the audit trail.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MessageServiceConfigApiTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
    }

    private static String topic(String name, String... producers) {
        return """
                {"name":"%s","group":"taobao_trade","description":"trade events","producerApps":[%s],"dataIdField":"tid"}"""
                .formatted(name, producers.length == 0 ? "" : "\"" + String.join("\",\"", producers) + "\"");
    }

    private static List<String> fields(RestApi.Response r) {
        List<String> out = new ArrayList<>();
        r.json("errors").forEach(e -> out.add(e.get("field").asString()));
        return out;
    }

    @Test
    void topicsAndSubscriptionsArePublishedToAgentsAndRolledBack() throws Exception {
        RestApi op = withRole("OPERATOR");
        RestApi.Response bad = op.post("/api/v1/topics",
                "{\"name\":\"Trade Create\",\"group\":\"\",\"producerApps\":[\"a\",\"a\"],\"dataIdField\":\"not a field\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(fields(bad)).containsExactly("name", "group", "producerApps", "dataIdField");
        assertThat(op.post("/api/v1/topics", "{\"name\":\"taobao_trade_TradeCreate\",\"group\":\"g\",\"typo\":1}").status())
                .isEqualTo(400); // unknown fields are refused, not ignored
        RestApi.Response badSub = op.post("/api/v1/subscriptions", "{\"appKey\":\"demo-app\",\"topics\":[]}");
        assertThat(badSub.status()).isEqualTo(400);
        assertThat(fields(badSub)).containsExactly("topics");

        assertThat(op.post("/api/v1/topics", topic("taobao_trade_TradeCreate", "producer-app")).status()).isEqualTo(201);
        assertThat(op.post("/api/v1/subscriptions",
                "{\"appKey\":\"demo-app\",\"topics\":[\"taobao_trade_TradeCreate\",\"taobao_trade_TradeClose\"]}").status())
                .isEqualTo(201);
        JsonNode diff = op.get("/api/v1/draft/diff").body();
        List<String> changed = new ArrayList<>();
        diff.get("changes").forEach(c -> changed.add(c.get("kind").asString() + "/" + c.get("key").asString()));
        assertThat(changed).containsExactlyInAnyOrder("topics/taobao_trade_TradeCreate", "subscriptions/demo-app");

        RestApi.Response broken = op.publish("subscription to a missing topic");
        assertThat(broken.status()).isEqualTo(400);
        assertThat(fields(broken)).containsExactly("subscriptions['demo-app'].topics[1]");
        assertThat(op.post("/api/v1/topics", topic("taobao_trade_TradeClose", "producer-app")).status()).isEqualTo(201);
        long first = op.publish("trade topics").json("number").asLong();

        try (TopazAgent agent = TopazAgent.start(AgentSettings.of("tmc-config", TestZooKeeper.connectString(),
                dataDir.resolve("agent")).withZkRoot(ROOT), Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(15)).until(() -> agent.appliedRelease() == first);
            Topic applied = agent.snapshot().topics().get("taobao_trade_TradeCreate");
            assertThat(applied.producibleBy("producer-app")).isTrue();
            assertThat(applied.dataIdField()).isEqualTo("tid");
            assertThat(agent.snapshot().subscriptions().get("demo-app").topics())
                    .containsExactly("taobao_trade_TradeCreate", "taobao_trade_TradeClose");

            RestApi.Response current = op.get("/api/v1/topics/taobao_trade_TradeCreate");
            assertThat(op.put("/api/v1/topics/taobao_trade_TradeCreate", topic("taobao_trade_TradeCreate", "other-app"),
                    Long.parseLong(current.etag().replace("\"", ""))).status()).isEqualTo(200);
            long second = op.publish("new producer").json("number").asLong();
            await().atMost(Duration.ofSeconds(15)).until(() -> agent.appliedRelease() == second);
            assertThat(agent.snapshot().topics().get("taobao_trade_TradeCreate").producibleBy("producer-app")).isFalse();

            long third = op.post("/api/v1/releases/" + first + "/rollback", "{\"message\":\"back\"}").json("number").asLong();
            await().atMost(Duration.ofSeconds(15)).until(() -> agent.appliedRelease() == third);
            assertThat(agent.snapshot().topics().get("taobao_trade_TradeCreate").producibleBy("producer-app")).isTrue();
        }
        JsonNode audit = op.get("/api/v1/audit?kind=topics&key=taobao_trade_TradeCreate").json("events");
        List<String> actions = new ArrayList<>();
        audit.forEach(e -> actions.add(e.get("action").asString()));
        assertThat(actions).containsExactly("UPDATE", "CREATE"); // newest first
        assertThat(withRole("VIEWER").post("/api/v1/topics", topic("taobao_trade_TradeChanged")).status()).isEqualTo(403);
    }
}
