package io.topaz.bench.messaging;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An unmodified TOP message client against a Topaz agent's broker port (issue 17): TOP's Node.js SDK
 * {@code ali-topsdk} 2.0.5 (its {@code TmcClient}, installed by {@code npm ci} from the fixture
 * {@code src/test/node/tmc-client}, package-lock pinned) connects with an app's key, secret and group, receives the
 * messages queued before it connected and those published while it is connected, confirms each through its own
 * callback, and publishes one message (a frame of the package's own codec: the client has no publish method) — which,
 * the app being subscribed, comes back to it as well. The broker's queue ends with every message confirmed.
 *
 * <p>Needs Node.js and npm (and the registry, for {@code npm ci}): absent, the test is skipped, or fails under
 * {@code CI=true}. Needs the control plane's and the agent's jars, as {@link CrashSoakTest}.
 */
class TopClientNodeTest {

    private static final String VERSION = "0.1.0-SNAPSHOT";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP = "node-tmc-app";
    private static final String TOPIC = "topaz_node_TradeChanged";
    private static final String NICK = "node_seller";

    private TopazCluster cluster;
    private Process node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.destroyForcibly();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void topsNodeTmcClientConnectsReceivesConfirmsAndPublishes() throws Exception {
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        Path repo = module.getParent();
        assertThat(List.of(repo.resolve("control-plane/target/control-plane-" + VERSION + "-exec.jar"),
                repo.resolve("agent/target/agent-" + VERSION + ".jar"))).as("packaged jars: run with `mvn verify`")
                .allMatch(Files::exists);
        requireNode();
        Path dir = Files.createDirectories(module.resolve("target/tmc-client-node-" + Instant.now().toEpochMilli()));
        Path fixture = module.resolve("src/test/node/tmc-client");
        for (String f : List.of("package.json", "package-lock.json", "client.js")) {
            Files.copy(fixture.resolve(f), dir.resolve(f));
        }
        run(dir, 300, "npm", "ci", "--no-audit", "--no-fund");

        cluster = TopazCluster.start(repo, dir.resolve("topaz"), 1,
                List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), List.of());
        String secret = cluster.createApp(APP);
        cluster.admin("POST", "/api/v1/topics", "{\"name\":\"" + TOPIC + "\",\"group\":\"topaz_node\",\"description\":"
                + "\"node client test\",\"producerApps\":[\"" + APP + "\"],\"dataIdField\":\"tid\"}", 201);
        cluster.admin("POST", "/api/v1/subscriptions", "{\"appKey\":\"" + APP + "\",\"topics\":[\"" + TOPIC + "\"]}",
                201);
        cluster.publishAndAwait();
        cluster.permitAll("3100000999", NICK, List.of(APP));
        TopazCluster.Agent agent = cluster.agents().get(0);
        try (BlockingHttp broker = new BlockingHttp(agent.broker(), 30_000)) {
            for (int tid = 1; tid <= 3; tid++) {
                publish(broker, tid); // queued before the client connects
            }

            List<String> lines = new CopyOnWriteArrayList<>();
            node = new ProcessBuilder("node", "client.js", "ws://127.0.0.1:" + agent.brokerPort + "/", APP, secret,
                    "default", TOPIC, "{\"tid\":99,\"seller_nick\":\"" + NICK + "\"}").directory(dir.toFile())
                    .redirectErrorStream(true).start();
            Thread reader = new Thread(() -> read(node, lines), "node-client-output");
            reader.setDaemon(true);
            reader.start();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(events(lines, "CONNECTED"))
                    .as("node client output: %s", lines).hasSize(1));
            for (int tid = 4; tid <= 5; tid++) {
                publish(broker, tid); // pushed while connected
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(events(lines, "RECEIVED")).as("node client output: %s", lines)
                        .extracting(e -> JSON.readTree(e.get("content").asString()).get("tid").asLong())
                        .containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 99L);
                assertThat(events(lines, "SENDACK")).hasSize(1);
            });
            JsonNode ack = events(lines, "SENDACK").get(0);
            assertThat(ack.get("flag").asInt()).isEqualTo(7);
            assertThat(ack.get("statusCode").asInt()).as("publish refused: %s", ack).isZero();
            JsonNode own = events(lines, "RECEIVED").stream()
                    .filter(e -> e.get("content").asString().contains("\"tid\":99")).findFirst().orElseThrow();
            assertThat(own.get("id").asString()).as("the publish's id in its SENDACK is the stored message's")
                    .isEqualTo(ack.get("id").asString());
            assertThat(own.get("publisher").asString()).isEqualTo(APP);
            assertThat(own.get("userid").asString()).isEqualTo("3100000999");

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode queue = queue(broker, APP + "/default");
                assertThat(queue.get("confirmed").asLong()).as("queue %s", queue).isEqualTo(6);
                assertThat(queue.get("inFlight").asLong()).as("queue %s", queue).isZero();
                assertThat(queue.get("backlog").asLong()).as("queue %s", queue).isZero();
            });
        }
        assertThat(node.isAlive()).as("the node client kept running (it exits on an error it cannot handle)").isTrue();
        deleteTree(dir); // kept only when the test fails
    }

    private void publish(BlockingHttp broker, int tid) throws IOException {
        byte[] body = ("{\"topic\":\"" + TOPIC + "\",\"content\":{\"tid\":" + tid + ",\"seller_nick\":\"" + NICK
                + "\"}}").getBytes(StandardCharsets.UTF_8);
        BlockingHttp.Answer a = broker.post("/internal/v1/publish", "application/json", body,
                "Bearer " + cluster.agentToken());
        assertThat(a.status()).as("publish: %s", a.text()).isEqualTo(200);
    }

    private JsonNode queue(BlockingHttp broker, String queue) throws IOException {
        BlockingHttp.Answer a = broker.get("/internal/v1/queues", "Bearer " + cluster.agentToken());
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        for (JsonNode q : JSON.readTree(a.body()).get("queues")) {
            if (q.get("queue").asString().equals(queue)) {
                return q;
            }
        }
        throw new AssertionError("no queue " + queue + " in " + a.text());
    }

    private static List<JsonNode> events(List<String> lines, String event) {
        return lines.stream().filter(l -> l.startsWith(event + " "))
                .map(l -> JSON.readTree(l.substring(event.length() + 1))).toList();
    }

    private static void read(Process p, List<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException ended) {
            // the process was stopped
        }
    }

    private static void requireNode() {
        try {
            run(Path.of("."), 30, "node", "--version");
            run(Path.of("."), 30, "npm", "--version");
        } catch (Exception | AssertionError e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true but Node.js/npm cannot run: " + e.getMessage(), e);
            }
            Assumptions.abort("Node.js and npm are needed: " + e.getMessage());
        }
    }

    private static void run(Path dir, int seconds, String... command) throws Exception {
        Path log = Files.createTempFile("node-cmd", ".log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String output = Files.readString(log);
        Files.deleteIfExists(log);
        assertThat(done && p.exitValue() == 0).as("%s: %s", String.join(" ", command), output).isTrue();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
