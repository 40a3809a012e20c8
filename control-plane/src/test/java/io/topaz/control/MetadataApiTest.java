package io.topaz.control;

import io.topaz.model.metadata.KeyFilter;
import io.topaz.model.metadata.SessionKeys;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Apps, sellers and sessions over REST; what agents read through the metadata endpoint; events and key filters. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MetadataApiTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();

    @Autowired
    JdbcClient jdbc;

    @Autowired
    CuratorFramework curator;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
    }

    private RestApi agent() {
        String name = "agent-" + System.nanoTime();
        return admin().as(admin().post("/api/v1/tokens", "{\"name\":\"" + name + "\",\"role\":\"AGENT\"}")
                .json("token").asString());
    }

    private static String app(String key, String... groups) {
        return "{\"appKey\":\"" + key + "\",\"name\":\"App " + key + "\",\"owner\":\"isv-" + key + "\",\"allowedApiGroups\":"
                + (groups.length == 0 ? "[]" : "[\"" + String.join("\",\"", groups) + "\"]") + "}";
    }

    @Test
    void appSecretIsShownOnceAndEncryptedAtRest() {
        RestApi.Response created = admin().post("/api/v1/apps", app("secret-app", "core"));
        assertThat(created.status()).isEqualTo(201);
        String secret = created.json("secret").asString();
        assertThat(secret).hasSize(32);
        assertThat(created.json("app").get("version").asLong()).isEqualTo(1);

        RestApi.Response got = withRole("VIEWER").get("/api/v1/apps/secret-app");
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.raw()).doesNotContain(secret).doesNotContain("secret\"");
        assertThat(got.etag()).isEqualTo("\"1\"");
        assertThat(admin().get("/api/v1/apps?q=secret").raw()).doesNotContain(secret);
        assertThat(admin().get("/api/v1/audit?kind=apps&key=secret-app").raw()).doesNotContain(secret);

        String stored = jdbc.sql("select secret_current from app where app_key = 'secret-app'").query(String.class).single();
        assertThat(stored).startsWith("v2:").doesNotContain(secret);

        // Agents read it, with the secret, through their own credential.
        JsonNode md = agent().post("/api/v1/metadata/lookup", "{\"apps\":[\"secret-app\",\"nope\"]}").body();
        assertThat(md.get("apps").has("nope")).isFalse();
        assertThat(md.get("apps").get("secret-app").get("secrets").get(0).get("secret").asString()).isEqualTo(secret);
    }

    @Test
    void reencryptionIsAdminOnlyAuditedAndKeepsSecretsReadable() {
        String secret = admin().post("/api/v1/apps", app("reenc-app", "core")).json("secret").asString();
        assertThat(withRole("OPERATOR").post("/api/v1/apps/secrets/reencrypt", null).status()).isEqualTo(403);
        RestApi.Response run = admin().post("/api/v1/apps/secrets/reencrypt", null);
        assertThat(run.status()).isEqualTo(200);
        assertThat(run.json("remaining").asInt()).isZero();
        assertThat(run.json("currentKeyId").asString()).hasSize(12);
        assertThat(jdbc.sql("select count(*) from audit_event where action = 'SECRETS_REENCRYPT'").query(Integer.class)
                .single()).isPositive();
        JsonNode app = agent().post("/api/v1/metadata/lookup", "{\"apps\":[\"reenc-app\"]}").body()
                .get("apps").get("reenc-app");
        assertThat(app.get("secrets").get(0).get("secret").asString()).isEqualTo(secret);
    }

    @Test
    void validationConflictsAndRoles() {
        RestApi.Response bad = admin().post("/api/v1/apps",
                "{\"appKey\":\"bad key!\",\"owner\":\"\",\"allowedApiGroups\":[\"ok\",\"no way\",\"ok\"]}");
        assertThat(bad.status()).isEqualTo(400);
        List<String> fields = new ArrayList<>();
        bad.json("errors").forEach(e -> fields.add(e.get("field").asString()));
        assertThat(fields).contains("appKey", "name", "owner", "allowedApiGroups[1]", "allowedApiGroups");
        assertThat(admin().post("/api/v1/apps", "{not json").status()).isEqualTo(400);

        assertThat(admin().post("/api/v1/apps", app("conflict-app", "core")).status()).isEqualTo(201);
        assertThat(admin().post("/api/v1/apps", app("conflict-app", "core")).status()).isEqualTo(409);
        assertThat(admin().post("/api/v1/apps/conflict-app/disable", null, 1L).json("status").asString()).isEqualTo("DISABLED");
        RestApi.Response stale = admin().post("/api/v1/apps/conflict-app/enable", null, 1L);
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.json("message").asString()).contains("version 2");
        assertThat(admin().put("/api/v1/apps/conflict-app/groups", "{\"allowedApiGroups\":[\"core\",\"trade\"]}", 2L)
                .json("allowedApiGroups")).hasSize(2);
        assertThat(admin().get("/api/v1/apps/missing").status()).isEqualTo(404);

        RestApi op = withRole("OPERATOR");
        assertThat(op.post("/api/v1/apps/conflict-app/enable", null).status()).isEqualTo(403);
        assertThat(op.post("/api/v1/apps/conflict-app/secret", null).status()).isEqualTo(403);
        assertThat(op.post("/api/v1/metadata/lookup", "{\"apps\":[\"conflict-app\"]}").status()).isEqualTo(403);
        assertThat(admin().post("/api/v1/metadata/lookup", "{\"apps\":[\"conflict-app\"]}").status()).isEqualTo(403);
        RestApi agent = agent();
        assertThat(agent.get("/api/v1/apps").status()).isEqualTo(403);
        assertThat(agent.get("/api/v1/apis").status()).isEqualTo(403);
        StringBuilder many = new StringBuilder("{\"apps\":[");
        for (int i = 0; i < 1001; i++) {
            many.append(i == 0 ? "" : ",").append("\"k").append(i).append('"');
        }
        assertThat(agent.post("/api/v1/metadata/lookup", many.append("]}").toString()).status()).isEqualTo(400);
        assertThat(anonymous().post("/api/v1/metadata/lookup", "{}").status()).isEqualTo(401);
    }

    @Test
    void listPagesAndSearches() {
        for (int i = 0; i < 7; i++) {
            assertThat(admin().post("/api/v1/apps", app("page-app-" + i, "core")).status()).isEqualTo(201);
        }
        RestApi viewer = withRole("VIEWER");
        JsonNode p0 = viewer.get("/api/v1/apps?q=PAGE-APP&size=3&page=0").body();
        assertThat(p0.get("total").asLong()).isEqualTo(7);
        assertThat(p0.get("items")).hasSize(3);
        assertThat(p0.get("items").get(0).get("appKey").asString()).isEqualTo("page-app-0");
        JsonNode p2 = viewer.get("/api/v1/apps?q=page-app&size=3&page=2").body();
        assertThat(p2.get("items")).hasSize(1);
        assertThat(p2.get("items").get(0).get("appKey").asString()).isEqualTo("page-app-6");
        assertThat(viewer.get("/api/v1/apps?owner=isv-page-app-3").json("total").asLong()).isEqualTo(1);
        assertThat(viewer.get("/api/v1/apps?size=0").status()).isEqualTo(400);
        RestApi.Response generated = admin().post("/api/v1/apps", "{\"name\":\"gen\",\"owner\":\"isv\",\"allowedApiGroups\":[]}");
        assertThat(generated.json("app").get("appKey").asString()).matches("\\d{8}");
    }

    @Test
    void rotationKeepsTheOldSecretUntilRetired() {
        String first = admin().post("/api/v1/apps", app("rotating", "core")).json("secret").asString();
        RestApi.Response rotated = admin().post("/api/v1/apps/rotating/secret", "{\"graceSeconds\":3600}");
        assertThat(rotated.status()).isEqualTo(200);
        String second = rotated.json("secret").asString();
        assertThat(second).isNotEqualTo(first);
        assertThat(rotated.json("app").get("previousSecretRetireAt").asLong()).isPositive();

        RestApi agent = agent();
        JsonNode secrets = agent.post("/api/v1/metadata/lookup", "{\"apps\":[\"rotating\"]}").body()
                .get("apps").get("rotating").get("secrets");
        assertThat(secrets).hasSize(2);
        assertThat(secrets.get(0).get("secret").asString()).isEqualTo(second);
        assertThat(secrets.get(1).get("secret").asString()).isEqualTo(first);
        assertThat(secrets.get(1).get("retireAtMillis").asLong()).isPositive();

        assertThat(admin().post("/api/v1/apps/rotating/secret/retire-previous", null).status()).isEqualTo(200);
        JsonNode after = agent.post("/api/v1/metadata/lookup", "{\"apps\":[\"rotating\"]}").body().get("apps").get("rotating");
        assertThat(after.get("secrets")).hasSize(1);
        assertThat(after.get("version").asLong()).isEqualTo(3);

        JsonNode audit = admin().get("/api/v1/audit?kind=apps&key=rotating").json("events");
        assertThat(audit).hasSize(3);
        assertThat(audit.toString()).doesNotContain(first).doesNotContain(second);
    }

    @Test
    void sessionsAreIssuedListedRevokedAndAnnounced() throws Exception {
        assertThat(admin().post("/api/v1/apps", app("session-app", "core")).status()).isEqualTo(201);
        RestApi op = withRole("OPERATOR");
        assertThat(op.post("/api/v1/users", "{\"userId\":\"seller-1\",\"nick\":\"Seller One\"}").status()).isEqualTo(201);
        assertThat(op.post("/api/v1/users", "{\"userId\":\"seller-1\",\"nick\":\"again\"}").status()).isEqualTo(409);
        assertThat(admin().post("/api/v1/sessions", "{\"appKey\":\"session-app\",\"userId\":\"nobody\"}").status()).isEqualTo(404);
        assertThat(admin().post("/api/v1/sessions", "{\"appKey\":\"session-app\",\"userId\":\"seller-1\",\"expiresInSeconds\":5}")
                .json("errors").get(0).get("field").asString()).isEqualTo("expiresInSeconds");

        int eventsBefore = events();
        RestApi.Response issued = admin().post("/api/v1/sessions",
                "{\"appKey\":\"session-app\",\"userId\":\"seller-1\",\"scopes\":[\"trade\"],\"expiresInSeconds\":3600}");
        assertThat(issued.status()).isEqualTo(201);
        String key = issued.json("sessionKey").asString();
        String id = issued.json("session").get("id").asString();
        assertThat(events()).isEqualTo(eventsBefore + 1);

        assertThat(op.get("/api/v1/sessions?appKey=session-app").json("items")).hasSize(1);
        assertThat(op.get("/api/v1/sessions?userId=seller-1").raw()).doesNotContain(key);
        assertThat(op.get("/api/v1/sessions").status()).isEqualTo(400);
        assertThat(jdbc.sql("select count(*) from app_session where key_hash = ?").param(key).query(Long.class).single())
                .isZero();

        String hash = SessionKeys.hash(key);
        RestApi agent = agent();
        JsonNode s = agent.post("/api/v1/metadata/lookup", "{\"sessions\":[\"" + hash + "\"]}").body().get("sessions").get(hash);
        assertThat(s.get("appKey").asString()).isEqualTo("session-app");
        assertThat(s.get("userId").asString()).isEqualTo("seller-1");
        assertThat(s.get("revoked").asBoolean()).isFalse();

        assertThat(op.post("/api/v1/sessions/" + id + "/revoke", null).json("revokedAt").asLong()).isPositive();
        assertThat(events()).isEqualTo(eventsBefore + 2);
        JsonNode revoked = agent.post("/api/v1/metadata/lookup", "{\"sessions\":[\"" + hash + "\"]}").body()
                .get("sessions").get(hash);
        assertThat(revoked.get("revoked").asBoolean()).isTrue();
        assertThat(revoked.get("version").asLong()).isEqualTo(2);
        assertThat(op.get("/api/v1/audit?kind=sessions&key=" + id).json("events")).hasSize(2);
    }

    @Test
    void keyFiltersHoldEveryKeyAndGrowWithNewOnes() throws Exception {
        assertThat(admin().post("/api/v1/apps", app("filtered-1", "core")).status()).isEqualTo(201);
        RestApi agent = agent();
        KeyFilter before = filter(agent, "app", 0.001);
        assertThat(before.mightContain("filtered-1")).isTrue();
        assertThat(before.falsePositiveRate()).isEqualTo(0.001);
        assertThat(admin().post("/api/v1/apps", app("filtered-2", "core")).status()).isEqualTo(201);
        assertThat(filter(agent, "app", 0.001).mightContain("filtered-2")).isTrue();
        // A key created by another control plane instance arrives through the event stream.
        assertThat(filter(agent, "app", 0.001).mightContain("made-elsewhere")).isFalse();
        curator.create().creatingParentContainersIfNeeded()
                .withMode(org.apache.zookeeper.CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(ROOT + "/metadata/events/e-", io.topaz.model.json.Json.write(new io.topaz.model.metadata.MetadataEvent(
                        0, io.topaz.model.metadata.MetadataEvent.Type.CREATED, io.topaz.model.config.MetadataKind.APP,
                        "made-elsewhere", 1, 0)));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> filter(agent, "app", 0.001).mightContain("made-elsewhere"));
        assertThat(agent.getBytes("/api/v1/metadata/filters/nothing").statusCode()).isEqualTo(404);
        assertThat(agent.getBytes("/api/v1/metadata/filters/app?fpp=0.9").statusCode()).isEqualTo(400);
    }

    private static KeyFilter filter(RestApi agent, String kind, double fpp) {
        HttpResponse<byte[]> r = agent.getBytes("/api/v1/metadata/filters/" + kind + "?fpp=" + fpp);
        assertThat(r.statusCode()).isEqualTo(200);
        return KeyFilter.fromBytes(r.body(),
                Long.parseLong(r.headers().firstValue("X-Topaz-Expected-Insertions").orElseThrow()),
                Double.parseDouble(r.headers().firstValue("X-Topaz-Fpp").orElseThrow()));
    }

    private int events() throws Exception {
        return curator.checkExists().forPath(ROOT + "/metadata/events") == null ? 0
                : curator.getChildren().forPath(ROOT + "/metadata/events").size();
    }
}
