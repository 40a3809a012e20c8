package io.topaz.control;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** The control plane on PostgreSQL: migrations run, tokens and the audit log work there as on H2. */
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
    }

    @AfterAll
    static void drop() {
        if (url != null) {
            TestServices.dropPostgresDatabase(url);
        }
    }

    @Test
    void migrationsTokensAndAuditWorkOnPostgres() {
        assertThat(jdbc.sql("select version()").query(String.class).single()).startsWith("PostgreSQL");
        assertThat(jdbc.sql("select count(*) from flyway_schema_history where success").query(Long.class).single())
                .isEqualTo(2L);
        RestApi op = withRole("OPERATOR");
        assertThat(op.post("/api/v1/agent-clusters", "{\"name\":\"pg\",\"zone\":\"z1\"}").status()).isEqualTo(201);
        assertThat(op.get("/api/v1/audit?kind=agent-clusters&key=pg").body().get("events")).hasSize(1);
        RestApi.Response app = admin().post("/api/v1/apps",
                "{\"appKey\":\"pg-app\",\"name\":\"PG app\",\"owner\":\"isv\",\"allowedApiGroups\":[\"core\"]}");
        assertThat(app.status()).isEqualTo(201);
        assertThat(op.post("/api/v1/users", "{\"userId\":\"seller-pg\",\"nick\":\"pg\"}").status()).isEqualTo(201);
        assertThat(op.post("/api/v1/sessions", "{\"appKey\":\"pg-app\",\"userId\":\"seller-pg\",\"expiresInSeconds\":600}")
                .status()).isEqualTo(201);
        assertThat(op.get("/api/v1/apps?q=pg").json("total").asLong()).isEqualTo(1);
        assertThat(op.get("/api/v1/sessions?userId=seller-pg").json("items")).hasSize(1);
        assertThat(jdbc.sql("select token_hash from api_token where name = 'bootstrap-admin'").query(String.class).single())
                .hasSize(64).doesNotContain(ADMIN_TOKEN);
    }
}
