package io.topaz.control.messages;

import io.topaz.control.ControlPlaneTestSupport;
import io.topaz.control.RestApi;
import io.topaz.control.TestZooKeeper;
import io.topaz.control.fleet.FleetView;
import io.topaz.model.zk.ZkLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /api/v1/messages} against fake broker agents: tiny HTTP servers registered in the real ZooKeeper as agents
 * register, serving the broker port's internal API and checking the control plane's AGENT token with the control
 * plane itself, as real agents do.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MessagesApiTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();
    private static final ZkLayout LAYOUT = new ZkLayout(ROOT);
    private static final long T0 = Instant.parse("2026-12-01T08:00:00Z").toEpochMilli();

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
        r.add("topaz.broker.request-timeout", () -> "500ms");
    }

    @Autowired
    FleetView fleet;

    private final List<FakeBrokerAgent> agents = new ArrayList<>();

    @AfterEach
    void stopAgents() {
        agents.forEach(FakeBrokerAgent::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.agents().isEmpty());
    }

    private FakeBrokerAgent agent(String id) throws Exception {
        FakeBrokerAgent a = new FakeBrokerAgent(TestZooKeeper.connectString(), LAYOUT, id, T0 - 3_600_000,
                "http://127.0.0.1:" + port);
        agents.add(a);
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.agents().stream().anyMatch(i -> i.id().equals(id)));
        return a;
    }

    private static String app() {
        return "app-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static List<Long> ids(JsonNode items) {
        List<Long> ids = new ArrayList<>();
        items.forEach(i -> ids.add(i.get("id").asLong()));
        return ids;
    }

    private static List<String> fields(RestApi.Response r) {
        List<String> fields = new ArrayList<>();
        r.json("errors").forEach(e -> fields.add(e.get("field").asString()));
        return fields;
    }

    @Test
    void queuesListsEveryAgentsQueuesAndSumsEachAppOverGroupsAndAgents() throws Exception {
        agent("agent-1").queue("shop/default", 10, 2, 5_000, 100, 90, 7, 3, 4)
                .queue("shop/vip", 5, 1, 9_000, 50, 45, 2, 1, 4)
                .queue("other/default", 0, 0, 0, 1, 1, 0, 0, 0);
        agent("agent-2").queue("shop/default", 1, 1, 1_000, 10, 9, 1, 0, 6);

        RestApi.Response r = withRole("VIEWER").get("/api/v1/messages/queues");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json("unreachable")).isEmpty();
        JsonNode agentsSeen = r.json("agents");
        assertThat(agentsSeen).hasSize(2);
        assertThat(agentsSeen.get(0).get("agentId").asString()).isEqualTo("agent-1");
        assertThat(agentsSeen.get(0).get("agentStartedAtMillis").asLong()).isEqualTo(T0 - 3_600_000);
        assertThat(agentsSeen.get(0).get("queues")).extracting(q -> q.get("queue").asString())
                .containsExactly("other/default", "shop/default", "shop/vip");
        JsonNode vip = agentsSeen.get(0).get("queues").get(2);
        assertThat(vip.get("app").asString()).isEqualTo("shop");
        assertThat(vip.get("group").asString()).isEqualTo("vip");
        JsonNode shop = r.json("apps").get(1);
        assertThat(shop.get("app").asString()).isEqualTo("shop");
        assertThat(shop.get("queues").asInt()).isEqualTo(3);
        assertThat(shop.get("backlog").asLong()).isEqualTo(16);
        assertThat(shop.get("inFlight").asLong()).isEqualTo(4);
        assertThat(shop.get("oldestUnconfirmedAgeMillis").asLong()).isEqualTo(9_000);
        assertThat(shop.get("delivered").asLong()).isEqualTo(160);
        assertThat(shop.get("confirmed").asLong()).isEqualTo(144);
        assertThat(shop.get("redelivered").asLong()).isEqualTo(10);
        assertThat(shop.get("deadLettered").asLong()).isEqualTo(4);
        assertThat(shop.get("deadLetters").asLong()).as("4 on agent-1 (repeated per group) + 6 on agent-2")
                .isEqualTo(10);
        assertThat(r.json("apps").get(0).get("app").asString()).isEqualTo("other");
        assertThat(r.json("atMillis").asLong()).isPositive();
    }

    @Test
    void deadLettersMergesTheAgentsPagesNewestFirstAndSumsTheTotals() throws Exception {
        String app = app();
        FakeBrokerAgent a = agent("agent-1");
        FakeBrokerAgent b = agent("agent-2");
        for (int i = 1; i <= 6; i++) {
            (i % 2 == 0 ? b : a).deadLetter(i, app + "/default", "taobao_trade_TradeChanged", T0 + i * 1000L, 16,
                    "MAX_ATTEMPTS");
        }
        a.deadLetter(99, "someone-else/default", "taobao_trade_TradeChanged", T0 + 99_000, 16, "MAX_ATTEMPTS");
        RestApi viewer = withRole("VIEWER");

        RestApi.Response first = viewer.get("/api/v1/messages/dead-letters?app=" + app + "&size=4");
        RestApi.Response second = viewer.get("/api/v1/messages/dead-letters?app=" + app + "&page=1&size=4");

        assertThat(first.status()).isEqualTo(200);
        assertThat(ids(first.json("items"))).containsExactly(6L, 5L, 4L, 3L);
        assertThat(ids(second.json("items"))).containsExactly(2L, 1L);
        assertThat(first.json("total").asLong()).isEqualTo(6);
        assertThat(first.json("unreachable")).isEmpty();
        JsonNode newest = first.json("items").get(0);
        assertThat(newest.get("agentId").asString()).isEqualTo("agent-2");
        assertThat(newest.get("queue").asString()).isEqualTo(app + "/default");
        assertThat(newest.get("group").asString()).isEqualTo("default");
        assertThat(newest.get("topic").asString()).isEqualTo("taobao_trade_TradeChanged");
        assertThat(newest.get("userNick").asString()).isEqualTo("seller-6");
        assertThat(newest.get("attempts").asInt()).isEqualTo(16);
        assertThat(newest.get("reason").asString()).isEqualTo("MAX_ATTEMPTS");
        assertThat(newest.get("deadAt").asString()).isEqualTo(Instant.ofEpochMilli(T0 + 6000).toString());
        assertThat(newest.get("content").asString()).contains("\"tid\":6");
    }

    @Test
    void aPageBeyondTheAgentsPageSizeIsFetchedInSeveralPagesFromEachAgent() throws Exception {
        String app = app();
        FakeBrokerAgent a = agent("agent-1");
        FakeBrokerAgent b = agent("agent-2");
        for (int i = 1; i <= 1100; i++) {
            (i % 3 == 0 ? b : a).deadLetter(i, app + "/default", "taobao_trade_TradeCreate", T0 + i, 3, "RETENTION");
        }

        RestApi.Response r = withRole("VIEWER").get("/api/v1/messages/dead-letters?app=" + app + "&page=1&size=500");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json("total").asLong()).isEqualTo(1100);
        List<Long> ids = ids(r.json("items"));
        assertThat(ids).hasSize(500);
        assertThat(ids.get(0)).isEqualTo(600L);
        assertThat(ids.get(499)).isEqualTo(101L);
        assertThat(a.seen()).extracting(FakeBrokerAgent.Seen::pathAndQuery)
                .allMatch(q -> q.contains("size=500")).anyMatch(q -> q.contains("page=1"));
    }

    @Test
    void filtersReachTheAgentsAsEpochMillis() throws Exception {
        String app = app();
        FakeBrokerAgent a = agent("agent-1");
        a.deadLetter(1, app + "/default", "taobao_trade_TradeCreate", T0 + 1000, 16, "MAX_ATTEMPTS");
        a.deadLetter(2, app + "/default", "taobao_trade_TradeClose", T0 + 2000, 16, "MAX_ATTEMPTS");
        a.deadLetter(3, app + "/default", "taobao_trade_TradeCreate", T0 + 9000, 16, "MAX_ATTEMPTS");

        RestApi.Response r = withRole("VIEWER").get("/api/v1/messages/dead-letters?app=" + app
                + "&topic=taobao_trade_TradeCreate&from=" + Instant.ofEpochMilli(T0) + "&to="
                + Instant.ofEpochMilli(T0 + 5000));

        assertThat(ids(r.json("items"))).containsExactly(1L);
        assertThat(r.json("total").asLong()).isEqualTo(1);
        assertThat(a.seen().get(a.seen().size() - 1).pathAndQuery())
                .contains("app=" + app, "page=0", "size=50", "topic=taobao_trade_TradeCreate", "from=" + T0,
                        "to=" + (T0 + 5000));
    }

    @Test
    void badQueriesAre400sNamingEachField() {
        RestApi viewer = withRole("VIEWER");
        RestApi.Response noApp = viewer.get("/api/v1/messages/dead-letters");
        assertThat(noApp.status()).isEqualTo(400);
        assertThat(fields(noApp)).containsExactly("app");

        RestApi.Response bad = viewer.get("/api/v1/messages/dead-letters?app=shop&page=-1&size=501&from=yesterday");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(fields(bad)).containsExactlyInAnyOrder("page", "size", "from");

        assertThat(fields(viewer.get("/api/v1/messages/dead-letters?app=shop&page=99999999999999999999")))
                .containsExactly("page");
        assertThat(fields(viewer.get("/api/v1/messages/dead-letters?app=shop&page=2147483647&size=500")))
                .as("past the 10,000 newest, without overflowing").containsExactly("page");
        assertThat(viewer.get("/api/v1/messages/dead-letters?app=shop&page=19&size=500").status()).isEqualTo(200);
        assertThat(fields(viewer.get("/api/v1/messages/dead-letters?app=shop&page=20&size=500"))).containsExactly("page");
        assertThat(fields(viewer.get("/api/v1/messages/dead-letters?app=shop&from=2026-12-02T00:00:00Z"
                + "&to=2026-12-01T00:00:00Z"))).containsExactly("to");
        assertThat(fields(viewer.get("/api/v1/messages/dead-letters?app=sh%2Fop"))).containsExactly("app");

        RestApi op = withRole("OPERATOR");
        assertThat(fields(op.post("/api/v1/messages/dead-letters/replay", "{\"app\":\"shop\",\"ids\":[]}")))
                .containsExactly("ids");
        assertThat(fields(op.post("/api/v1/messages/dead-letters/replay", "{\"app\":\"shop\",\"ids\":[5,0,5]}")))
                .containsExactly("ids[1]", "ids[2]");
        assertThat(fields(op.post("/api/v1/messages/dead-letters/purge", "{\"ids\":[1]}"))).containsExactly("app");
        assertThat(fields(op.post("/api/v1/messages/dead-letters/purge", "{\"app\":\"shop\",\"ids\":[1],\"all\":true}")))
                .containsExactly("all");
        assertThat(fields(op.post("/api/v1/messages/dead-letters/purge", "{\"app\":\"shop\",\"ids\":[9007199254740992]}")))
                .containsExactly("ids[0]");
        assertThat(op.post("/api/v1/messages/dead-letters/purge", "not json").status()).isEqualTo(400);
    }

    @Test
    void replayAndPurgeGoToEveryAgentSumTheCountsAndAreAuditedOncePerRequest() throws Exception {
        String app = app();
        FakeBrokerAgent a = agent("agent-1");
        FakeBrokerAgent b = agent("agent-2");
        a.deadLetter(1, app + "/default", "taobao_trade_TradeCreate", T0 + 1000, 16, "MAX_ATTEMPTS");
        a.deadLetter(2, app + "/default", "taobao_trade_TradeCreate", T0 + 2000, 16, "MAX_ATTEMPTS");
        b.deadLetter(3, app + "/vip", "taobao_trade_TradeCreate", T0 + 3000, 16, "MAX_ATTEMPTS");
        b.deadLetter(4, app + "/vip", "taobao_trade_TradeCreate", T0 + 4000, 16, "MAX_ATTEMPTS");
        RestApi op = withRole("OPERATOR");

        RestApi.Response replay = op.post("/api/v1/messages/dead-letters/replay",
                "{\"app\":\"" + app + "\",\"ids\":[1,3,77]}");
        RestApi.Response purge = op.post("/api/v1/messages/dead-letters/purge", "{\"app\":\"" + app + "\",\"ids\":[4]}");

        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.json("done").asLong()).isEqualTo(2);
        assertThat(replay.json("requested").asInt()).isEqualTo(3);
        assertThat(replay.json("action").asString()).isEqualTo("replay");
        assertThat(replay.json("unreachable")).isEmpty();
        assertThat(purge.json("done").asLong()).isEqualTo(1);
        assertThat(a.deadLetterCount()).isEqualTo(1);
        assertThat(b.deadLetterCount()).isZero();
        assertThat(a.seen()).filteredOn(s -> s.method().equals("POST")).extracting(FakeBrokerAgent.Seen::pathAndQuery)
                .containsExactly("/internal/v1/dead-letters/replay", "/internal/v1/dead-letters/purge");

        JsonNode events = admin().get("/api/v1/audit?kind=dead-letters&key=" + app).json("events");
        assertThat(events).hasSize(2);
        assertThat(events.get(0).get("action").asString()).isEqualTo("DEAD_LETTER_PURGE");
        JsonNode replayed = events.get(1);
        assertThat(replayed.get("action").asString()).isEqualTo("DEAD_LETTER_REPLAY");
        assertThat(replayed.get("actor").asString()).startsWith("operator-");
        assertThat(replayed.get("detail").asString()).contains("\"ids\":[1,3,77]", "\"replayed\":2", "\"agents\":2");
    }

    @Test
    void anAgentThatDoesNotAnswerIsReportedNotAFailure() throws Exception {
        String app = app();
        agent("agent-1").deadLetter(1, app + "/default", "taobao_trade_TradeCreate", T0, 16, "MAX_ATTEMPTS")
                .queue(app + "/default", 3, 0, 0, 0, 0, 0, 1, 1);
        agent("agent-2").stopBrokerPort();
        agent("agent-3").hang();
        RestApi op = withRole("OPERATOR");

        RestApi.Response letters = op.get("/api/v1/messages/dead-letters?app=" + app);
        RestApi.Response queues = op.get("/api/v1/messages/queues");
        RestApi.Response replay = op.post("/api/v1/messages/dead-letters/replay", "{\"app\":\"" + app + "\",\"ids\":[1]}");

        assertThat(letters.status()).isEqualTo(200);
        assertThat(ids(letters.json("items"))).containsExactly(1L);
        assertThat(letters.json("unreachable")).extracting(JsonNode::asString).containsExactly("agent-2", "agent-3");
        assertThat(queues.status()).isEqualTo(200);
        assertThat(queues.json("agents")).extracting(n -> n.get("agentId").asString()).containsExactly("agent-1");
        assertThat(queues.json("unreachable")).extracting(JsonNode::asString).containsExactly("agent-2", "agent-3");
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.json("done").asLong()).isEqualTo(1);
        assertThat(replay.json("unreachable")).extracting(JsonNode::asString).containsExactly("agent-2", "agent-3");
        assertThat(admin().get("/api/v1/audit?kind=dead-letters&key=" + app).json("events").get(0).get("detail")
                .asString()).contains("\"unreachable\":[\"agent-2\",\"agent-3\"]");
    }

    @Test
    void pushConnectionsAreListedOverTheAgentsAndAnAdminDisconnectsOneAudited() throws Exception {
        String app = app();
        FakeBrokerAgent a = agent("agent-1").connection("7", app, "default", T0, 3, 120, 117);
        FakeBrokerAgent b = agent("agent-2").connection("1", app, "vip", T0 + 1000, 0, 5, 5)
                .connection("2", app, "default", T0 + 2000, 1, 1, 0);

        RestApi.Response list = withRole("VIEWER").get("/api/v1/messages/connections");

        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json("unreachable")).isEmpty();
        JsonNode cs = list.json("connections");
        assertThat(cs).extracting(c -> c.get("agentId").asString() + "/" + c.get("id").asString() + " "
                + c.get("group").asString()).containsExactly("agent-1/7 default", "agent-2/2 default", "agent-2/1 vip");
        JsonNode first = cs.get(0);
        assertThat(first.get("app").asString()).isEqualTo(app);
        assertThat(first.get("remote").asString()).isEqualTo("/10.0.0.7:57");
        assertThat(first.get("since").asString()).isEqualTo("2026-12-01T08:00:00Z");
        assertThat(first.get("inFlight").asLong()).isEqualTo(3);
        assertThat(first.get("pushed").asLong()).isEqualTo(120);
        assertThat(first.get("confirmed").asLong()).isEqualTo(117);

        assertThat(withRole("OPERATOR").delete("/api/v1/messages/connections/agent-2/2", null).status())
                .as("operators may not").isEqualTo(403);
        assertThat(admin().delete("/api/v1/messages/connections/agent-2/x1", null).status()).isEqualTo(400);
        assertThat(admin().delete("/api/v1/messages/connections/agent-9/2", null).status()).isEqualTo(404);
        RestApi.Response gone = admin().delete("/api/v1/messages/connections/agent-2/2", null);
        assertThat(gone.status()).isEqualTo(200);
        assertThat(gone.json("disconnected").asBoolean()).isTrue();
        assertThat(b.connectionCount()).isEqualTo(1);
        assertThat(a.connectionCount()).as("only the named agent is asked").isEqualTo(1);
        assertThat(admin().delete("/api/v1/messages/connections/agent-2/2", null).json("disconnected").asBoolean())
                .as("already closed").isFalse();
        assertThat(b.seen()).filteredOn(s -> s.method().equals("POST")).extracting(FakeBrokerAgent.Seen::body)
                .first().asString().contains("\"id\":\"2\"").contains("\"by\":");

        JsonNode events = admin().get("/api/v1/audit?kind=push-connections&key=agent-2/2").json("events");
        assertThat(events).hasSize(2);
        assertThat(events.get(1).get("action").asString()).isEqualTo("PUSH_DISCONNECT");
        assertThat(events.get(1).get("detail").asString()).contains("\"disconnected\":true");
    }

    @Test
    void viewersReadOperatorsActPublishersAndAgentsDoNeither() throws Exception {
        agent("agent-1");
        String body = "{\"app\":\"shop\",\"ids\":[1]}";
        RestApi viewer = withRole("VIEWER");
        assertThat(viewer.get("/api/v1/messages/queues").status()).isEqualTo(200);
        assertThat(viewer.post("/api/v1/messages/dead-letters/replay", body).status()).isEqualTo(403);
        assertThat(viewer.post("/api/v1/messages/dead-letters/purge", body).status()).isEqualTo(403);
        for (String role : List.of("PUBLISHER", "AGENT")) {
            RestApi other = withRole(role);
            assertThat(other.get("/api/v1/messages/queues").status()).as(role).isEqualTo(403);
            assertThat(other.get("/api/v1/messages/dead-letters?app=shop").status()).as(role).isEqualTo(403);
            assertThat(other.post("/api/v1/messages/dead-letters/replay", body).status()).as(role).isEqualTo(403);
        }
        assertThat(anonymous().get("/api/v1/messages/queues").status()).isEqualTo(401);
        assertThat(admin().get("/api/v1/audit?kind=dead-letters&key=shop").json("events")).isEmpty();
    }
}
