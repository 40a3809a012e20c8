package io.topaz.control.ha;

import io.topaz.control.ControlPlaneApplication;
import io.topaz.control.RestApi;
import io.topaz.control.TestServices;
import io.topaz.control.security.InternalAgentToken;
import io.topaz.control.traffic.TrafficPoller;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two control planes on a three-server ZooKeeper ensemble and one PostgreSQL database, started at the same moment: one
 * bootstrap admin token between them, one leader running the singletons (and the other forwarding the traffic reads to
 * it), concurrent edits and publishes from both that lose nothing, publish only reviewed revisions and audit every
 * change once, a revocation on one refused by the other at once (with the default 10 s token cache), each instance's
 * own AGENT token, and the leader stopped in the middle of a publish: the release is live with its audit row or absent,
 * and the other instance takes over the singletons.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoControlPlanesTest {

    private static final String KIND = "agent-clusters";

    private TestingCluster zookeeper;
    private String dbUrl;
    private JdbcClient db;
    private Path dir;
    private final Map<String, ConfigurableApplicationContext> instances = new ConcurrentHashMap<>();
    private String adminToken;

    @BeforeAll
    void start() throws Exception {
        dbUrl = TestServices.createPostgresDatabase();
        db = JdbcClient.create(new DriverManagerDataSource(dbUrl, TestServices.PG_USER, ""));
        zookeeper = new TestingCluster(3);
        zookeeper.start();
        dir = Files.createTempDirectory("topaz-two-cps");
        String root = "/topaz-ha-" + UUID.randomUUID().toString().substring(0, 8);
        // both at the same moment, on an empty database: the bootstrap token must still be created once
        ExecutorService starter = Executors.newFixedThreadPool(2);
        try {
            List<Future<ConfigurableApplicationContext>> started = new ArrayList<>();
            for (String id : List.of("cp-a", "cp-b")) {
                started.add(starter.submit(() -> new SpringApplicationBuilder(ControlPlaneApplication.class)
                        .registerShutdownHook(false).run(
                                "--server.port=0",
                                "--topaz.ha.instance-id=" + id,
                                "--topaz.data-dir=" + dir.resolve(id),
                                "--topaz.zookeeper.connect-string=" + zookeeper.getConnectString(),
                                "--topaz.zookeeper.root=" + root,
                                "--topaz.zookeeper.session-timeout=10s",
                                "--topaz.traffic.poll-interval=200ms",
                                // a shared database needs the secret-encryption key given, the same on both instances
                                "--topaz.metadata.encryption-key=q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=",
                                "--spring.datasource.url=" + dbUrl,
                                "--spring.datasource.username=" + TestServices.PG_USER,
                                "--spring.datasource.password=")));
            }
            instances.put("cp-a", started.get(0).get(60, TimeUnit.SECONDS));
            instances.put("cp-b", started.get(1).get(60, TimeUnit.SECONDS));
        } finally {
            starter.shutdown();
        }
    }

    @AfterAll
    void stop() throws Exception {
        instances.values().forEach(ConfigurableApplicationContext::close);
        if (zookeeper != null) {
            zookeeper.close();
        }
        if (dbUrl != null) {
            TestServices.dropPostgresDatabase(dbUrl);
        }
    }

    @Test
    @Order(1)
    void theBootstrapAdminTokenIsCreatedOnceThoughBothStartedTogether() throws Exception {
        assertThat(db.sql("select count(*) from api_token where name = 'bootstrap-admin'").query(Long.class).single())
                .isEqualTo(1L);
        List<Path> files = new ArrayList<>();
        for (String id : List.of("cp-a", "cp-b")) {
            Path f = dir.resolve(id).resolve("admin-token");
            if (Files.exists(f)) {
                files.add(f);
            }
        }
        assertThat(files).hasSize(1);
        adminToken = Files.readString(files.get(0)).strip();
        assertThat(api("cp-a").get("/api/v1/me").status()).isEqualTo(200);
        assertThat(api("cp-b").get("/api/v1/me").status()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void oneLeadsAndHealthAndTheMetricSaySoAndTheFollowerForwardsTrafficReads() {
        await().atMost(Duration.ofSeconds(10)).until(() -> leadership("cp-a").isLeader() != leadership("cp-b").isLeader());
        String leader = leadership("cp-a").isLeader() ? "cp-a" : "cp-b";
        String follower = other(leader);
        for (String id : List.of("cp-a", "cp-b")) {
            JsonNode details = api(id).get("/actuator/health").body().get("components").get("leadership").get("details");
            assertThat(details.get("instance").asString()).isEqualTo(id);
            assertThat(details.get("leader").asBoolean()).isEqualTo(id.equals(leader));
            assertThat(details.get("leaderInstance").asString()).isEqualTo(leader);
            assertThat(api(id).get("/actuator/prometheus").raw())
                    .contains("topaz_control_plane_leader " + (id.equals(leader) ? "1.0" : "0.0"));
        }
        JsonNode planes = api(follower).get("/api/v1/control-planes").body();
        assertThat(planes.get("self").asString()).isEqualTo(follower);
        assertThat(planes.get("leader").asString()).isEqualTo(leader);
        assertThat(planes.get("instances")).hasSize(2);
        // only the leader polls; the follower answers the traffic reads from the leader's polls
        await().atMost(Duration.ofSeconds(10)).until(() -> poller(leader).latest().at() != null);
        assertThat(poller(follower).latest().at()).isNull();
        RestApi.Response agents = api(follower).get("/api/v1/traffic/agents");
        assertThat(agents.status()).isEqualTo(200);
        assertThat(agents.body().get("at").isNull()).isFalse();
    }

    @Test
    @Order(3)
    void aTokenRevokedOnOneIsRefusedOnTheOtherAtOnce() {
        RestApi.Response created = api("cp-a").post("/api/v1/tokens", "{\"name\":\"short-lived\",\"role\":\"VIEWER\"}");
        assertThat(created.status()).isEqualTo(201);
        String secret = created.json("token").asString();
        RestApi onB = api("cp-b").as(secret);
        assertThat(onB.get("/api/v1/me").status()).isEqualTo(200); // now cached on B for the default 10 s
        assertThat(api("cp-a").delete("/api/v1/tokens/short-lived", null).status()).isEqualTo(204);
        assertThat(api("cp-a").as(secret).get("/api/v1/me").status()).isEqualTo(401);
        // B learns of it through ZooKeeper within milliseconds, not at its cache's expiry
        await().atMost(Duration.ofMillis(1_000)).pollInterval(Duration.ofMillis(20))
                .until(() -> onB.get("/api/v1/me").status() == 401);
    }

    @Test
    @Order(4)
    void eachInstancePresentsItsOwnAgentTokenOnBrokerPorts() {
        String a = instances.get("cp-a").getBean(InternalAgentToken.class).secret();
        String b = instances.get("cp-b").getBean(InternalAgentToken.class).secret();
        assertThat(a).isNotEqualTo(b);
        // B issuing its own did not replace A's: both work, on either instance
        for (String id : List.of("cp-a", "cp-b")) {
            assertThat(api(id).as(a).get("/api/v1/me").json("name").asString()).isEqualTo("control-plane-broker-cp-a");
            assertThat(api(id).as(b).get("/api/v1/me").json("name").asString()).isEqualTo("control-plane-broker-cp-b");
        }
        assertThat(instances.get("cp-a").getBean(InternalAgentToken.class).secret()).isEqualTo(a);
    }

    @Test
    @Order(5)
    void concurrentEditsAndPublishesFromBothLoseNothingPublishOnlyReviewedRevisionsAndAuditOnce() throws Exception {
        Set<String> written = ConcurrentHashMap.newKeySet();
        Map<Long, Set<String>> reviewedAdds = new ConcurrentHashMap<>();
        Map<Long, Long> baseOf = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                RestApi op = api(t % 2 == 0 ? "cp-a" : "cp-b");
                int thread = t;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 4; i++) {
                        String name = "c" + thread + "x" + i;
                        assertThat(op.post("/api/v1/" + KIND, "{\"name\":\"" + name + "\",\"zone\":\"z1\"}").status())
                                .isEqualTo(201);
                        written.add(name);
                        JsonNode diff = op.get("/api/v1/draft/diff").body();
                        Set<String> adds = new HashSet<>();
                        diff.get("changes").forEach(c -> adds.add(c.get("key").asString()));
                        RestApi.Response published = op.publish("round " + name, diff.get("draftRevision").asLong(), null);
                        assertThat(published.status()).as(published.raw()).isIn(201, 409);
                        if (published.status() == 201) {
                            reviewedAdds.put(published.json("number").asLong(), adds);
                            baseOf.put(published.json("number").asLong(), diff.get("baseRelease").asLong());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        // every publish carried exactly its base release plus the changes its diff showed, nothing unreviewed
        for (var e : reviewedAdds.entrySet()) {
            Set<String> expected = new HashSet<>(names(baseOf.get(e.getKey())));
            expected.addAll(e.getValue());
            assertThat(names(e.getKey())).as("release %d", e.getKey()).isEqualTo(expected);
        }
        // no edit lost: a last publish carries all of them
        JsonNode diff = api("cp-b").get("/api/v1/draft/diff").body();
        if (!diff.get("changes").isEmpty()) {
            long n = api("cp-b").publish("last", diff.get("draftRevision").asLong(), null).json("number").asLong();
            reviewedAdds.put(n, Set.of());
        }
        assertThat(names(api("cp-a").get("/api/v1/releases/live").json("number").asLong())).containsAll(written);
        // every change audited once: one CREATE per cluster, one PUBLISH per release
        for (String name : written) {
            assertThat(db.sql("select count(*) from audit_event where action = 'CREATE' and kind = ? and item_key = ?")
                    .params(KIND, name).query(Long.class).single()).as(name).isEqualTo(1L);
        }
        for (long n : reviewedAdds.keySet()) {
            assertThat(db.sql("select count(*) from audit_event where action = 'PUBLISH' and release_no = ?")
                    .param(n).query(Long.class).single()).as("release %d", n).isEqualTo(1L);
        }
    }

    @Test
    @Order(6)
    void theLeaderStoppedMidPublishLeavesTheReleaseLiveWithItsAuditRowOrAbsentAndTheOtherTakesOver() throws Exception {
        String leader = leadership("cp-a").isLeader() ? "cp-a" : "cp-b";
        String survivor = other(leader);
        RestApi op = api(leader);
        assertThat(op.post("/api/v1/" + KIND, "{\"name\":\"last-words\",\"zone\":\"z9\"}").status()).isEqualTo(201);
        long revision = op.get("/api/v1/draft/diff").json("draftRevision").asLong();
        Thread publisher = new Thread(() -> {
            try {
                op.publish("while stopping", revision, null);
            } catch (RuntimeException expected) {
                // the instance went away under the request
            }
        });
        publisher.start();
        instances.remove(leader).close();
        publisher.join(15_000);

        RestApi on = api(survivor);
        await().atMost(Duration.ofSeconds(15)).until(() -> leadership(survivor).isLeader());
        long live = on.get("/api/v1/releases/live").json("number").asLong();
        if (names(live).contains("last-words")) {
            // live: its audit row is there (the survivor moved it from the outbox on taking over, if the leader had not)
            await().atMost(Duration.ofSeconds(5)).until(() -> db.sql(
                            "select count(*) from audit_event where action = 'PUBLISH' and release_no = ?")
                    .param(live).query(Long.class).single() == 1L);
        } else {
            assertThat(db.sql("select count(*) from audit_event where action = 'PUBLISH' and detail like '%while stopping%'")
                    .query(Long.class).single()).isZero();
            assertThat(on.get("/api/v1/draft/diff").body().get("changes").toString()).contains("last-words");
        }
        // the survivor runs the singletons now: its own poller polls
        await().atMost(Duration.ofSeconds(10)).until(() -> poller(survivor).latest().at() != null);
        assertThat(api(survivor).get("/actuator/health").body().get("components").get("leadership").get("details")
                .get("leaderInstance").asString()).isEqualTo(survivor);
        // and serves operators as before
        assertThat(on.post("/api/v1/" + KIND, "{\"name\":\"after\",\"zone\":\"z1\"}").status()).isEqualTo(201);
        assertThat(on.publish("after the takeover").status()).isEqualTo(201);
    }

    private Set<String> names(long release) {
        if (release == 0) {
            return Set.of();
        }
        JsonNode items = api(anyInstance()).get("/api/v1/releases/" + release)
                .body().get("items").get(KIND);
        Set<String> out = new HashSet<>();
        if (items != null) {
            items.forEach(i -> out.add(i.get("name").asString()));
        }
        return out;
    }

    private String anyInstance() {
        return instances.containsKey("cp-a") ? "cp-a" : "cp-b";
    }

    private RestApi api(String id) {
        int port = Integer.parseInt(instances.get(id).getEnvironment().getProperty("local.server.port"));
        return new RestApi("http://127.0.0.1:" + port, adminToken);
    }

    private Leadership leadership(String id) {
        return instances.get(id).getBean(Leadership.class);
    }

    private TrafficPoller poller(String id) {
        return instances.get(id).getBean(TrafficPoller.class);
    }

    private static String other(String id) {
        return "cp-a".equals(id) ? "cp-b" : "cp-a";
    }
}
