package io.topaz.control;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** The control plane on PostgreSQL: migrations run, tokens, the audit log and the message service's data work there as on H2. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PostgresStorageTest extends ControlPlaneTestSupport {

    private static String url;

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), TestZooKeeper.uniqueRoot());
        url = TestServices.createPostgresDatabase();
        r.add("spring.datasource.url", () -> url);
        r.add("spring.datasource.username", () -> TestServices.PG_USER);
        r.add("spring.datasource.password", () -> "");
        // a shared database: the key is never generated, it must be given (issue 19 point 6)
        r.add("topaz.metadata.encryption-key", () -> "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=");
    }

    @AfterAll
    static void drop() {
        if (url != null) {
            TestServices.dropPostgresDatabase(url);
        }
    }

    /** Permits, groups and their version counters (V3) on PostgreSQL, where a unique violation aborts the transaction. */
    private void messageServiceDataWorksOnPostgres(RestApi op) {
        RestApi agent = admin().as(admin().post("/api/v1/tokens", "{\"name\":\"pg-agent\",\"role\":\"AGENT\"}")
                .json("token").asString());
        assertThat(op.post("/api/v1/topics", "{\"name\":\"taobao_trade_TradeCreate\",\"group\":\"taobao_trade\"}").status())
                .isEqualTo(201);
        assertThat(op.post("/api/v1/subscriptions", "{\"appKey\":\"pg-app\",\"topics\":[\"taobao_trade_TradeCreate\"]}")
                .status()).isEqualTo(201);
        assertThat(op.publish("pg topics").status()).isEqualTo(201);
        assertThat(op.post("/api/v1/users", "{\"userId\":\"4200000001\",\"nick\":\"pg-seller\"}").status()).isEqualTo(201);
        assertThat(op.post("/api/v1/users", "{\"userId\":\"4200000002\",\"nick\":\"pg-seller\"}").status()).isEqualTo(409);
        assertThat(admin().post("/api/v1/sessions", "{\"appKey\":\"pg-app\",\"userId\":\"4200000001\"}").status()).isEqualTo(201);
        String base = "/api/v1/metadata/tmc/apps/pg-app";
        assertThat(agent.post(base + "/permits/permit", "{\"userId\":\"4200000001\"}").status()).isEqualTo(200);
        assertThat(agent.post(base + "/permits/permit", "{\"userId\":\"4200000001\",\"topics\":[\"taobao_trade_TradeCreate\"]}")
                .json("allSubscribedTopics").asBoolean()).isFalse();
        assertThat(agent.post(base + "/groups/add", "{\"groupName\":\"vip\",\"nicks\":[\"pg-seller\"]}").status()).isEqualTo(200);
        var user = agent.post("/api/v1/metadata/lookup", "{\"tmcUsers\":[\"4200000001\"],\"tmcGroups\":[\"pg-app\"]}").body();
        assertThat(user.get("tmcUsers").get("4200000001").get("version").asLong()).isEqualTo(3);
        assertThat(user.get("tmcUsers").get("4200000001").get("permits").get(0).get("groupName").asString()).isEqualTo("vip");
        assertThat(user.get("tmcGroups").get("pg-app").get("groups").get(0).asString()).isEqualTo("vip");
        assertThat(agent.post(base + "/groups/delete", "{\"groupName\":\"vip\"}").json("groupDeleted").asBoolean()).isTrue();
        assertThat(agent.post(base + "/permits/cancel", "{\"nick\":\"pg-seller\"}").json("cancelled").asBoolean()).isTrue();
        assertThat(op.post("/api/v1/users", "{\"userId\":\"4200000009\",\"nick\":\"pg-busy\"}").status()).isEqualTo(201);
        TmcDataApiTest.concurrentPermits(admin(), op, agent, "pg-race", "4200000009", "taobao_trade_TradeCreate");
    }

    /** Sync targets' passwords (V6) on PostgreSQL: set, replaced, read by an agent, removed. */
    private void syncTargetPasswordsWorkOnPostgres(RestApi op) {
        RestApi agent = withRole("AGENT");
        assertThat(op.post("/api/v1/seller-groups", "{\"name\":\"pg-sg\",\"bucketFrom\":0,\"bucketTo\":1024}").status())
                .isEqualTo(201);
        assertThat(op.post("/api/v1/sync-targets", SyncTargetApiTest.target("pg-erp", "pg-app", "pg-sg")).status())
                .isEqualTo(201);
        String path = "/api/v1/sync-targets/pg-erp/password";
        assertThat(admin().put(path, "{\"password\":\"first\"}", null).json("version").asLong()).isEqualTo(1);
        assertThat(admin().put(path, "{\"password\":\"second\"}", null).json("version").asLong()).isEqualTo(2);
        assertThat(agent.get("/api/v1/metadata/sync-targets/pg-erp/password").json("password").asString())
                .isEqualTo("second");
        assertThat(jdbc.sql("select password from sync_target_password").query(String.class).single())
                .startsWith("v2:").doesNotContain("second");
        assertThat(op.publish("pg sync target").status()).isEqualTo(201);
        assertThat(admin().delete(path, null).status()).isEqualTo(204);
        assertThat(agent.get("/api/v1/metadata/sync-targets/pg-erp/password").status()).isEqualTo(404);
    }

    @Test
    void migrationsTokensAndAuditWorkOnPostgres() {
        assertThat(jdbc.sql("select version()").query(String.class).single()).startsWith("PostgreSQL");
        assertThat(jdbc.sql("select count(*) from flyway_schema_history where success").query(Long.class).single())
                .isEqualTo(6L);
        RestApi op = withRole("OPERATOR");
        assertThat(op.post("/api/v1/agent-clusters", "{\"name\":\"pg\",\"zone\":\"z1\"}").status()).isEqualTo(201);
        assertThat(op.get("/api/v1/audit?kind=agent-clusters&key=pg").body().get("events")).hasSize(1);
        RestApi.Response app = admin().post("/api/v1/apps",
                "{\"appKey\":\"pg-app\",\"name\":\"PG app\",\"owner\":\"isv\",\"allowedApiGroups\":[\"core\"]}");
        assertThat(app.status()).isEqualTo(201);
        assertThat(op.post("/api/v1/users", "{\"userId\":\"seller-pg\",\"nick\":\"pg\"}").status()).isEqualTo(201);
        assertThat(admin().post("/api/v1/sessions", "{\"appKey\":\"pg-app\",\"userId\":\"seller-pg\",\"expiresInSeconds\":600}")
                .status()).isEqualTo(201);
        assertThat(op.get("/api/v1/apps?q=pg").json("total").asLong()).isEqualTo(1);
        assertThat(op.get("/api/v1/sessions?userId=seller-pg").json("items")).hasSize(1);
        messageServiceDataWorksOnPostgres(op);
        syncTargetPasswordsWorkOnPostgres(op);
        assertThat(jdbc.sql("select token_hash from api_token where name = 'bootstrap-admin'").query(String.class).single())
                .hasSize(64).doesNotContain(ADMIN_TOKEN);
    }
}
