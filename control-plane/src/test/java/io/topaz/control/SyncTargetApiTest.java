package io.topaz.control;

import io.topaz.model.config.MetadataKind;
import io.topaz.model.json.Json;
import io.topaz.model.metadata.MetadataEvent;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.topaz.agent.sync.ControlPlaneSyncCredentials;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sync targets as config (validated, cross-checked at publish: seller groups and the app must exist) and their
 * passwords as encrypted metadata: set and removed by admins only, never echoed, audited without the value, read by
 * agents only, announced as a SYNC_TARGET metadata event.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SyncTargetApiTest extends ControlPlaneTestSupport {

    private static final String ROOT = TestZooKeeper.uniqueRoot();
    static final String SECRET = "pw-\"quoted\"-ünï-" + UUID.randomUUID();

    @Autowired
    JdbcClient jdbc;

    @Autowired
    CuratorFramework curator;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), ROOT);
    }

    static String target(String name, String app, String... groups) {
        return """
                {"name":"%s","appKey":"%s","jdbcUrl":"jdbc:mariadb://127.0.0.1:3306/topaz_jdp","user":"root",
                 "sellerGroups":["%s"]}""".formatted(name, app, String.join("\",\"", groups));
    }

    private static List<String> fields(RestApi.Response r) {
        List<String> out = new ArrayList<>();
        r.json("errors").forEach(e -> out.add(e.get("field").asString()));
        return out;
    }

    private static String passwordBody(String password) {
        return new String(Json.write(java.util.Map.of("password", password)), java.nio.charset.StandardCharsets.UTF_8);
    }

    private List<MetadataEvent> syncTargetEvents() throws Exception {
        String events = ROOT + "/metadata/events";
        List<MetadataEvent> out = new ArrayList<>();
        if (curator.checkExists().forPath(events) == null) {
            return out;
        }
        List<String> children = new ArrayList<>(curator.getChildren().forPath(events));
        children.sort(null); // fixed-width sequence numbers: in the order written
        for (String child : children) {
            MetadataEvent e = Json.read(curator.getData().forPath(events + "/" + child), MetadataEvent.class);
            if (e.kind() == MetadataKind.SYNC_TARGET) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void aTargetIsPublishedOnlyWhenItsSellerGroupsAndAppExist() {
        RestApi op = withRole("OPERATOR");
        RestApi.Response bad = op.post("/api/v1/sync-targets", """
                {"name":"bad","appKey":"x","jdbcUrl":"jdbc:postgresql://db/x?password=hunter2","user":"u","sellerGroups":[]}""");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(fields(bad)).containsExactly("jdbcUrl", "sellerGroups");
        assertThat(bad.raw()).doesNotContain("hunter2");

        assertThat(op.post("/api/v1/seller-groups", "{\"name\":\"sg-a\",\"bucketFrom\":0,\"bucketTo\":512}").status())
                .isEqualTo(201);
        assertThat(op.post("/api/v1/sync-targets", target("erp-1", "sync-app-1", "sg-a", "sg-missing")).status())
                .isEqualTo(201);
        RestApi.Response refused = op.publish("sync target with a missing group and app");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(fields(refused)).contains("sync-targets['erp-1'].sellerGroups[1]", "sync-targets['erp-1'].appKey");

        assertThat(admin().post("/api/v1/apps", "{\"appKey\":\"sync-app-1\",\"name\":\"ERP\",\"owner\":\"isv\","
                + "\"allowedApiGroups\":[]}").status()).isEqualTo(201);
        RestApi.Response item = op.get("/api/v1/sync-targets/erp-1");
        assertThat(op.put("/api/v1/sync-targets/erp-1", target("erp-1", "sync-app-1", "sg-a"),
                item.body().get("version").asLong()).status()).isEqualTo(200);
        assertThat(op.publish("sync target erp-1").status()).isEqualTo(201);
        assertThat(op.get("/api/v1/releases/live").raw()).contains("sync-targets");
    }

    @Test
    void thePasswordIsSetByAdminsReadByAgentsAndNeverEchoed() throws Exception {
        RestApi op = withRole("OPERATOR");
        String agentToken = admin().post("/api/v1/tokens", "{\"name\":\"sync-agent\",\"role\":\"AGENT\"}")
                .json("token").asString();
        RestApi agent = admin().as(agentToken);
        String path = "/api/v1/sync-targets/erp-2/password";

        // no such target in the draft or the live release: a field error, and nothing stored
        RestApi.Response missing = admin().put(path, passwordBody(SECRET), null);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(fields(missing)).containsExactly("name");
        assertThat(missing.raw()).doesNotContain(SECRET);

        // a target the other test's publish can ship too (both share one draft)
        assertThat(op.post("/api/v1/seller-groups", "{\"name\":\"sg-b\",\"bucketFrom\":512,\"bucketTo\":1024}").status())
                .isEqualTo(201);
        assertThat(admin().post("/api/v1/apps", "{\"appKey\":\"sync-app-2\",\"name\":\"ERP\",\"owner\":\"isv\","
                + "\"allowedApiGroups\":[]}").status()).isEqualTo(201);
        assertThat(op.post("/api/v1/sync-targets", target("erp-2", "sync-app-2", "sg-b")).status()).isEqualTo(201);
        assertThat(op.put(path, passwordBody(SECRET), null).status()).as("operators may not").isEqualTo(403);
        RestApi.Response empty = admin().put(path, "{\"password\":\"\"}", null);
        assertThat(fields(empty)).containsExactly("password");
        RestApi.Response malformed = admin().put(path, "{\"password\":" + SECRET + "}", null);
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.raw()).doesNotContain(SECRET).doesNotContain("ünï");
        assertThat(admin().put(path, "{\"password\":\"x\",\"extra\":1}", null).status()).isEqualTo(400);

        int eventsBefore = syncTargetEvents().size();
        RestApi.Response set = admin().put(path, passwordBody(SECRET), null);
        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json("version").asLong()).isEqualTo(1);
        assertThat(set.raw()).doesNotContain(SECRET);
        assertThat(syncTargetEvents()).hasSize(eventsBefore + 1)
                .last().satisfies(e -> assertThat(e.key()).isEqualTo("erp-2"));

        // stored encrypted, under the current key, bound to the target
        String stored = jdbc.sql("select password from sync_target_password where target_name = 'erp-2'")
                .query(String.class).single();
        assertThat(stored).startsWith("v2:").doesNotContain(SECRET);

        RestApi.Response read = agent.get("/api/v1/metadata/sync-targets/erp-2/password");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json("password").asString()).isEqualTo(SECRET);
        assertThat(admin().get("/api/v1/metadata/sync-targets/erp-2/password").status()).isEqualTo(403);
        assertThat(op.get("/api/v1/metadata/sync-targets/erp-2/password").status()).isEqualTo(403);
        assertThat(agent.get("/api/v1/metadata/sync-targets/nope/password").status()).isEqualTo(404);

        // the agent's own client, against this control plane (a dead one first in its --control-url)
        java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            ControlPlaneSyncCredentials credentials = new ControlPlaneSyncCredentials(
                    "http://127.0.0.1:1,http://127.0.0.1:" + port, agentToken, executor, Duration.ofMinutes(1),
                    com.github.benmanes.caffeine.cache.Ticker.systemTicker());
            assertThat(credentials.password("erp-2").get(10, TimeUnit.SECONDS)).isEqualTo(SECRET);
            assertThat(credentials.password("no-such-target").get(10, TimeUnit.SECONDS)).isEmpty();

            assertThat(admin().put(path, passwordBody("second"), null).json("version").asLong()).isEqualTo(2);
            assertThat(agent.get("/api/v1/metadata/sync-targets/erp-2/password").json("password").asString())
                    .isEqualTo("second");
            assertThat(syncTargetEvents()).last().satisfies(e -> assertThat(e.version()).isEqualTo(2));
            credentials.changed("erp-2"); // what the agent does on that event
            assertThat(credentials.password("erp-2").get(10, TimeUnit.SECONDS)).isEqualTo("second");
        } finally {
            executor.shutdownNow();
        }

        RestApi.Response audit = op.get("/api/v1/audit?kind=sync-targets&key=erp-2");
        assertThat(audit.raw()).contains("set-password").doesNotContain(SECRET).doesNotContain("second");

        assertThat(op.delete(path, null).status()).isEqualTo(403);
        assertThat(admin().delete(path, null).status()).isEqualTo(204);
        assertThat(agent.get("/api/v1/metadata/sync-targets/erp-2/password").status()).isEqualTo(404);
        assertThat(admin().delete(path, null).status()).isEqualTo(404);
        assertThat(syncTargetEvents()).hasSize(eventsBefore + 3);
        assertThat(op.get("/api/v1/audit?kind=sync-targets&key=erp-2").raw()).contains("delete-password");
    }
}
