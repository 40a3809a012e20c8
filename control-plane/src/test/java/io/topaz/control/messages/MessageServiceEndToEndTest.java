package io.topaz.control.messages;

import io.topaz.agent.AgentSettings;
import io.topaz.agent.BrokerSettings;
import io.topaz.agent.TopazAgent;
import io.topaz.agent.broker.cluster.ClusterBroker;
import io.topaz.agent.metadata.MetadataSettings;
import io.topaz.agent.net.Transport;
import io.topaz.control.ControlPlaneTestSupport;
import io.topaz.control.RestApi;
import io.topaz.control.TestZooKeeper;
import io.topaz.model.json.Json;
import io.topaz.model.testing.MutableClock;
import io.topaz.model.top.SignMethod;
import io.topaz.model.top.TopSigner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The message service end to end (issue 16): a real control plane (its database, its AGENT API, its
 * {@code /api/v1/messages} REST) and two in-process agents with gateways and brokers on the real storage engine
 * ({@code QueueEngine}), sharing one cluster through the real ZooKeeper. Everything a client does is a signed TOP call
 * on a gateway; everything an operator does is the control plane's REST API. Time on the agents is a
 * {@link MutableClock}: redelivery is driven by moving it, never by sleeping.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessageServiceEndToEndTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();
    private static final ZoneId TOP_ZONE = ZoneId.of("Asia/Shanghai");
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String TOPIC = "topaz_e2e_OrderEvent";
    /** The never-confirming app's own topic: the order test's messages do not reach it. */
    private static final String DLQ_TOPIC = "topaz_e2e_RefundEvent";
    private static final String PRODUCER = "e2e-producer";
    private static final List<String> ORDER_APPS = List.of("e2e-orders-1", "e2e-orders-2");
    private static final String DLQ_APP = "e2e-never-confirms";
    private static final Map<String, String> SELLERS = new LinkedHashMap<>(Map.of(
            "3200000001", "e2e_seller_1", "3200000002", "e2e_seller_2", "3200000003", "e2e_seller_3"));
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_ATTEMPTS = 3;

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
    }

    private final MutableClock clock = new MutableClock(Instant.now());
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, String> secrets = new TreeMap<>();
    private final List<TopazAgent> agents = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        RestApi admin = admin();
        for (String app : concat(List.of(PRODUCER, DLQ_APP), ORDER_APPS)) {
            secrets.put(app, admin.post("/api/v1/apps", "{\"appKey\":\"" + app + "\",\"name\":\"" + app
                    + "\",\"owner\":\"isv\",\"allowedApiGroups\":[\"tmc\"]}").json("secret").asString());
        }
        for (String topic : List.of(TOPIC, DLQ_TOPIC)) {
            assertThat(admin.post("/api/v1/topics", "{\"name\":\"" + topic + "\",\"group\":\"topaz_e2e\","
                    + "\"producerApps\":[\"" + PRODUCER + "\"],\"dataIdField\":\"tid\"}").status()).isEqualTo(201);
        }
        for (String app : concat(List.of(DLQ_APP), ORDER_APPS)) {
            assertThat(admin.post("/api/v1/subscriptions", "{\"appKey\":\"" + app + "\",\"topics\":[\""
                    + (app.equals(DLQ_APP) ? DLQ_TOPIC : TOPIC) + "\"]}").status()).isEqualTo(201);
        }
        SELLERS.forEach((id, nick) -> assertThat(admin.post("/api/v1/users", "{\"userId\":\"" + id + "\",\"nick\":\""
                + nick + "\"}").status()).isEqualTo(201));
        RestApi.Response published = admin.publish("message service end to end");
        assertThat(published.status()).as(published.raw()).isEqualTo(201);
        long release = published.json("number").asLong();

        String token = admin.post("/api/v1/tokens", "{\"name\":\"e2e-agents\",\"role\":\"AGENT\"}").json("token")
                .asString();
        BrokerSettings broker = BrokerSettings.defaults().withRedelivery(TIMEOUT, MAX_ATTEMPTS);
        for (String id : List.of("e2e-1", "e2e-2")) {
            AgentSettings s = AgentSettings.of(id, TestZooKeeper.connectString(), dataDir.resolve(id))
                    .withZkRoot(ROOT)
                    .withPlacement("default", "e2e")
                    .withTransport(Transport.NIO)
                    .withGatewayPort(freePort())
                    .withBrokerPort(freePort())
                    .withMetadata(new MetadataSettings("http://127.0.0.1:" + port, token, null, null))
                    .withBroker(broker);
            agents.add(TopazAgent.start(s, clock));
        }
        for (TopazAgent a : agents) {
            await().atMost(Duration.ofSeconds(20)).until(() -> a.appliedRelease() == release);
            // message ids come in blocks from ZooKeeper: a produce before the first block answers UNAVAILABLE
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> a.broker().orElseThrow().ids().next() > 0);
        }
        // both agents count both as broker agents, so they agree on every queue's owner (no hand-over under way
        // while the order test produces)
        for (TopazAgent a : agents) {
            await().atMost(Duration.ofSeconds(20)).until(() -> ((ClusterBroker) a.broker().orElseThrow()).members()
                    .equals(java.util.Set.of("e2e-1", "e2e-2")));
        }
        // each seller permits each subscribed app with a session of that app, by TOP call on either gateway
        int n = 0;
        for (String app : concat(List.of(DLQ_APP), ORDER_APPS)) {
            for (String user : SELLERS.keySet()) {
                String session = admin.post("/api/v1/sessions", "{\"appKey\":\"" + app + "\",\"userId\":\"" + user
                        + "\"}").json("sessionKey").asString();
                // a new session reaches the agents' key filters with its metadata event: until then the gateway
                // answers 27, so the permit is repeated (it replaces itself) until the agent knows the session
                TopazAgent via = agents.get(n++ % 2);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    JsonNode permit = call(via, app, "taobao.tmc.user.permit", "session", session);
                    assertThat(permit.path("tmc_user_permit_response").path("is_success").asBoolean())
                            .as(permit.toString()).isTrue();
                });
            }
        }
    }

    @AfterAll
    void stop() {
        // in reverse: the first agent has nobody left to hand over to and keeps its queues
        for (int i = agents.size() - 1; i >= 0; i--) {
            agents.get(i).close();
        }
    }

    /**
     * Several sellers' order events produced through the first agent's gateway, consumed and confirmed through the
     * second's by two subscribed apps (whose queues the two agents own between them, so produces and pulls cross
     * agents): every acknowledged message reaches each app, once, and per seller in publish order.
     */
    @Test
    void producedThroughOneAgentConsumedThroughTheOtherEveryMessageOncePerSellerInOrder() throws Exception {
        TopazAgent producerSide = agents.get(0);
        TopazAgent consumerSide = agents.get(1);
        List<String> users = new ArrayList<>(SELLERS.keySet());
        Map<String, List<Long>> produced = new TreeMap<>();
        int total = 90;
        for (int seq = 1; seq <= total; seq++) {
            String user = users.get(seq % users.size());
            JsonNode r = produce(producerSide, TOPIC, seq, SELLERS.get(user));
            assertThat(r.path("tmc_message_produce_response").path("is_success").asBoolean())
                    .as("produce %d acknowledged: %s", seq, r).isTrue();
            produced.computeIfAbsent(user, u -> new ArrayList<>()).add((long) seq);
        }

        for (String app : ORDER_APPS) {
            Map<String, List<Long>> received = new TreeMap<>();
            List<Long> ids = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                List<JsonNode> batch = consume(consumerSide, app, 25);
                List<String> confirm = new ArrayList<>();
                for (JsonNode m : batch) {
                    assertThat(m.get("topic").asString()).isEqualTo(TOPIC);
                    assertThat(m.get("pub_app_key").asString()).isEqualTo(PRODUCER);
                    assertThat(m.get("user_nick").asString()).isEqualTo(SELLERS.get(m.get("user_id").asString()));
                    received.computeIfAbsent(m.get("user_id").asString(), u -> new ArrayList<>()).add(tid(m));
                    ids.add(m.get("id").asLong());
                    confirm.add(m.get("id").asString());
                }
                if (!confirm.isEmpty()) {
                    JsonNode c = call(consumerSide, app, "taobao.tmc.messages.confirm", "s_message_ids",
                            String.join(",", confirm)).path("tmc_messages_confirm_response");
                    assertThat(c.path("confirmed").asInt()).as(c.toString()).isEqualTo(confirm.size());
                }
                return ids.size() >= total;
            });
            assertThat(received).as("%s: per seller, every message once, in publish order", app).isEqualTo(produced);
            assertThat(ids).as("%s: message ids unique", app).doesNotHaveDuplicates();
            assertThat(consume(consumerSide, app, 25)).as("%s: nothing left after the confirms", app).isEmpty();
        }
    }

    /**
     * A consumer that takes messages and never confirms them: they come back after the redelivery timeout (the
     * agents' clock moved past it), after {@value #MAX_ATTEMPTS} deliveries they are the app's dead letters, which
     * the control plane lists and replays, and the replay delivers them again.
     */
    @Test
    void unconfirmedMessagesComeBackThenDieThenAReplayDeliversThemAgain() throws Exception {
        TopazAgent a = agents.get(0);
        TopazAgent b = agents.get(1);
        String nick = SELLERS.values().iterator().next();
        for (int seq = 1001; seq <= 1003; seq++) {
            assertThat(produce(b, DLQ_TOPIC, seq, nick).path("tmc_message_produce_response").path("is_success")
                    .asBoolean())
                    .isTrue();
        }
        List<Long> ids = ids(consume(a, DLQ_APP, 10));
        assertThat(ids).hasSize(3);
        for (int attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
            clock.advance(TIMEOUT.minusSeconds(1));
            assertThat(consume(b, DLQ_APP, 10)).as("hidden until the timeout").isEmpty();
            clock.advance(Duration.ofSeconds(2));
            assertThat(ids(consume(attempt % 2 == 0 ? b : a, DLQ_APP, 10))).as("delivery %d", attempt)
                    .containsExactlyInAnyOrderElementsOf(ids);
        }
        clock.advance(TIMEOUT.plusSeconds(1));
        assertThat(consume(a, DLQ_APP, 10)).as("past %d attempts: dead letters, not delivered", MAX_ATTEMPTS)
                .isEmpty();

        RestApi viewer = withRole("VIEWER");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            RestApi.Response page = viewer.get("/api/v1/messages/dead-letters?app=" + DLQ_APP);
            assertThat(page.status()).as(page.raw()).isEqualTo(200);
            assertThat(page.json("total").asLong()).isEqualTo(3);
            assertThat(page.json("unreachable")).isEmpty();
            List<Long> dead = new ArrayList<>();
            page.json("items").forEach(i -> {
                assertThat(i.get("reason").asString()).isEqualTo("MAX_ATTEMPTS");
                assertThat(i.get("attempts").asInt()).isEqualTo(MAX_ATTEMPTS);
                assertThat(i.get("topic").asString()).isEqualTo(DLQ_TOPIC);
                assertThat(i.get("queue").asString()).isEqualTo(DLQ_APP + "/default");
                dead.add(i.get("id").asLong());
            });
            assertThat(dead).containsExactlyInAnyOrderElementsOf(ids);
        });

        RestApi.Response replay = withRole("OPERATOR").post("/api/v1/messages/dead-letters/replay",
                "{\"app\":\"" + DLQ_APP + "\",\"ids\":" + ids + "}");
        assertThat(replay.status()).as(replay.raw()).isEqualTo(200);
        assertThat(replay.json("done").asLong()).isEqualTo(3);

        List<JsonNode> again = consume(b, DLQ_APP, 10);
        assertThat(ids(again)).as("replayed: delivered again").containsExactlyInAnyOrderElementsOf(ids);
        assertThat(again).extracting(m -> tid(m)).containsExactlyInAnyOrder(1001L, 1002L, 1003L);
        JsonNode confirmed = call(a, DLQ_APP, "taobao.tmc.messages.confirm", "s_message_ids",
                ids.stream().map(String::valueOf).reduce((x, y) -> x + "," + y).orElseThrow())
                .path("tmc_messages_confirm_response");
        assertThat(confirmed.path("confirmed").asInt()).as(confirmed.toString()).isEqualTo(3);
        clock.advance(TIMEOUT.plusSeconds(1));
        assertThat(consume(a, DLQ_APP, 10)).as("confirmed after the replay: gone for good").isEmpty();
        assertThat(viewer.get("/api/v1/messages/dead-letters?app=" + DLQ_APP).json("total").asLong()).isZero();
    }

    // ---- TOP calls, signed, with the agents' clock ----

    private JsonNode produce(TopazAgent agent, String topic, long seq, String sellerNick) throws Exception {
        return call(agent, PRODUCER, "taobao.tmc.message.produce", "topic", topic, "content",
                "{\"tid\":" + seq + ",\"seller_nick\":\"" + sellerNick + "\",\"status\":\"WAIT_SELLER_SEND_GOODS\"}");
    }

    private List<JsonNode> consume(TopazAgent agent, String app, int quantity) throws Exception {
        JsonNode r = call(agent, app, "taobao.tmc.messages.consume", "quantity", Integer.toString(quantity));
        JsonNode messages = r.path("tmc_messages_consume_response").path("messages");
        assertThat(messages.isMissingNode()).as("a consume answer: %s", r).isFalse();
        List<JsonNode> out = new ArrayList<>();
        messages.path("tmc_message").forEach(out::add);
        return out;
    }

    private static List<Long> ids(List<JsonNode> messages) {
        return messages.stream().map(m -> m.get("id").asLong()).toList();
    }

    private static long tid(JsonNode message) {
        return Json.lenient().readTree(message.get("content").asString()).get("tid").asLong();
    }

    private JsonNode call(TopazAgent agent, String app, String method, String... params) throws Exception {
        Map<String, String> p = new TreeMap<>();
        p.put("method", method);
        p.put("app_key", app);
        p.put("format", "json");
        p.put("timestamp", LocalDateTime.ofInstant(clock.instant(), TOP_ZONE).format(TS));
        p.put("v", "2.0");
        p.put("sign_method", "hmac");
        for (int i = 0; i + 1 < params.length; i += 2) {
            p.put(params[i], params[i + 1]);
        }
        p.put("sign", TopSigner.sign(p, null, secrets.get(app), SignMethod.HMAC));
        StringBuilder form = new StringBuilder();
        p.forEach((k, v) -> form.append(form.length() == 0 ? "" : "&")
                .append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + agent.gatewayPort() + "/router/rest"))
                .header("Content-Type", "application/x-www-form-urlencoded").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.lenient().readTree(r.body());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** An ephemeral port the OS just gave out: --gateway-port and --broker-port take fixed ports (0 means none). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
