package io.topaz.control;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The draft REST API: validation, optimistic concurrency, and who may do what. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConfigApiTest extends ControlPlaneTestSupport {

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), TestZooKeeper.uniqueRoot());
    }

    @Test
    void swaggerUiIsServedAndSendsTheOperatorTokenForTheDescriptionItLoads() {
        RestApi.Response page = anonymous().get("/swagger-ui/index.html");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.raw()).contains("swagger-ui").contains("swagger-initializer.js");
        assertThat(anonymous().get("/swagger-ui.html").status()).as("the documented address, or a redirect to the page")
                .isIn(200, 302);
        RestApi.Response init = anonymous().get("/swagger-ui/swagger-initializer.js");
        assertThat(init.status()).isEqualTo(200);
        // our start-up script, not springdoc's: it adds the bearer token to the description's fetch
        assertThat(init.raw()).contains("url: '/v3/api-docs'").contains("requestInterceptor")
                .contains("req.headers.Authorization = 'Bearer ' + token()");
        assertThat(anonymous().get("/v3/api-docs").status()).as("the description itself still needs a token").isEqualTo(401);
        assertThat(withRole("VIEWER").get("/v3/api-docs").json("components").get("securitySchemes").get("bearer")
                .get("scheme").asString()).isEqualTo("bearer");
    }

    @Test
    void noTokenIs401ButHealthIsOpen() {
        assertThat(anonymous().get("/api/v1/apis").status()).isEqualTo(401);
        assertThat(anonymous().get("/api/v1/agents").status()).isEqualTo(401);
        assertThat(anonymous().get("/v3/api-docs").status()).isEqualTo(401);
        assertThat(anonymous().get("/actuator/prometheus").status()).isEqualTo(401);
        RestApi.Response health = anonymous().get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json("status").asString()).isEqualTo("UP");
        assertThat(admin().as("tpz_not-a-real-token-at-all-000000").get("/api/v1/apis").status()).isEqualTo(401);
        assertThat(admin().as("garbage").get("/api/v1/apis").status()).isEqualTo(401);
    }

    @Test
    void invalidInputNamesEachField() {
        RestApi op = withRole("OPERATOR");
        RestApi.Response r = op.post("/api/v1/apis", """
                {"method":"Not A Method","apiGroup":"","upstreams":[{"url":"ftp://x","weight":-1}],"timeoutMillis":0}""");
        assertThat(r.status()).isEqualTo(400);
        assertThat(fields(r)).contains("method", "apiGroup", "upstreams[0].url", "upstreams[0].weight", "timeoutMillis");
        JsonNode timeout = error(r, "timeoutMillis");
        assertThat(timeout.get("value").asString()).isEqualTo("0");
        assertThat(timeout.get("rule").asString()).contains("between 1 and");

        RestApi.Response unknown = op.post("/api/v1/apis", """
                {"method":"taobao.a.get","apiGroup":"g","upstreams":[{"url":"http://h:1"}],"timeoutMilis":5}""");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(fields(unknown)).containsExactly("timeoutMilis");

        RestApi.Response wrongType = op.post("/api/v1/flow-rules", """
                {"id":"r1","scope":"EVERYTHING","qps":10}""");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(fields(wrongType)).containsExactly("scope");

        RestApi.Response notJson = op.post("/api/v1/apis", "{not json");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.raw()).doesNotContain("Exception").doesNotContain("at io.");

        RestApi.Response crossField = op.post("/api/v1/flow-rules", """
                {"id":"r1","scope":"APP","method":"taobao.a.get","qps":10}""");
        assertThat(crossField.status()).isEqualTo(400);
        assertThat(fields(crossField)).contains("method", "appKey");
    }

    @Test
    void staleVersionIs409() {
        RestApi op = withRole("OPERATOR");
        RestApi.Response created = op.post("/api/v1/apis", api("taobao.stale.get", "core", "http://127.0.0.1:9090"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json("version").asLong()).isEqualTo(1);
        assertThat(created.etag()).isEqualTo("\"1\"");

        assertThat(op.post("/api/v1/apis", api("taobao.stale.get", "core", "http://127.0.0.1:9090")).status())
                .isEqualTo(409);

        RestApi.Response first = op.put("/api/v1/apis/taobao.stale.get", api("taobao.stale.get", "core", "http://127.0.0.1:9091"), 1L);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json("version").asLong()).isEqualTo(2);

        // A second operator who also read version 1 must not overwrite the first one's change.
        RestApi.Response second = op.put("/api/v1/apis/taobao.stale.get", api("taobao.stale.get", "core", "http://127.0.0.1:9092"), 1L);
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json("message").asString()).contains("version 2");
        assertThat(op.get("/api/v1/apis/taobao.stale.get").body().get("value").get("upstreams").get(0).get("url").asString())
                .isEqualTo("http://127.0.0.1:9091");

        assertThat(op.put("/api/v1/apis/taobao.stale.get", api("taobao.stale.get", "core", "http://127.0.0.1:9092"), null).status())
                .isEqualTo(400);
        assertThat(op.put("/api/v1/apis/taobao.stale.get", api("taobao.other.get", "core", "http://127.0.0.1:9092"), 2L).status())
                .isEqualTo(400);
        assertThat(op.delete("/api/v1/apis/taobao.stale.get", 1L).status()).isEqualTo(409);
        assertThat(op.delete("/api/v1/apis/taobao.stale.get", 2L).status()).isEqualTo(204);
        assertThat(op.get("/api/v1/apis/taobao.stale.get").status()).isEqualTo(404);
    }

    @Test
    void rolesLimitWhatATokenMayDo() {
        RestApi viewer = withRole("VIEWER");
        RestApi op = withRole("OPERATOR");

        assertThat(viewer.get("/api/v1/apis").status()).isEqualTo(200);
        assertThat(viewer.get("/v3/api-docs").status()).isEqualTo(200);
        assertThat(viewer.post("/api/v1/apis", api("taobao.viewer.get", "core", "http://127.0.0.1:9090")).status())
                .isEqualTo(403);
        assertThat(viewer.publish("x").status()).isEqualTo(403);
        assertThat(viewer.get("/api/v1/tokens").status()).isEqualTo(403);

        assertThat(op.post("/api/v1/agent-clusters", "{\"name\":\"c1\",\"zone\":\"z1\"}").status()).isEqualTo(201);
        assertThat(op.get("/api/v1/tokens").status()).isEqualTo(403);
        assertThat(op.post("/api/v1/tokens", "{\"name\":\"x\",\"role\":\"ADMIN\"}").status()).isEqualTo(403);
        String app = "{\"appKey\":\"app1\",\"name\":\"App one\",\"owner\":\"isv-1\",\"allowedApiGroups\":[\"core\"]}";
        assertThat(op.post("/api/v1/apps", app).status()).isEqualTo(403);
        assertThat(admin().post("/api/v1/apps", app).status()).isEqualTo(201);
        // a session key acts for a seller: only admins issue one (the body is checked after the role)
        assertThat(op.post("/api/v1/sessions", "{\"appKey\":\"app1\",\"userId\":\"nobody\"}").status()).isEqualTo(403);
        assertThat(admin().post("/api/v1/sessions", "{\"appKey\":\"app1\",\"userId\":\"nobody\"}").status()).isEqualTo(404);

        // Tokens are shown once and never listed; a revoked token stops working.
        RestApi.Response created = admin().post("/api/v1/tokens", "{\"name\":\"temp\",\"role\":\"VIEWER\"}");
        assertThat(created.status()).isEqualTo(201);
        RestApi temp = admin().as(created.json("token").asString());
        assertThat(temp.get("/api/v1/apis").status()).isEqualTo(200);
        assertThat(admin().get("/api/v1/tokens").raw()).contains("temp").doesNotContain(created.json("token").asString());
        assertThat(admin().delete("/api/v1/tokens/temp", null).status()).isEqualTo(204);
        assertThat(temp.get("/api/v1/apis").status()).isEqualTo(401);
        assertThat(admin().delete("/api/v1/tokens/temp", null).status()).isEqualTo(404);
    }

    @Test
    void revokedTokensStayListedWithTheirTimeAndTheLastAdminTokenStays() {
        assertThat(admin().post("/api/v1/tokens", "{\"name\":\"kept\",\"role\":\"VIEWER\"}").status()).isEqualTo(201);
        assertThat(admin().delete("/api/v1/tokens/kept", null).status()).isEqualTo(204);
        JsonNode kept = token("kept");
        assertThat(kept.get("status").asString()).isEqualTo("REVOKED");
        assertThat(kept.get("revokedAt").asString()).isNotBlank();
        assertThat(kept.get("revokedBy").asString()).isEqualTo("bootstrap-admin");

        RestApi.Response last = admin().delete("/api/v1/tokens/bootstrap-admin", null);
        assertThat(last.status()).isEqualTo(409);
        assertThat(last.json("message").asString()).contains("last usable ADMIN token");
        assertThat(admin().get("/api/v1/me").status()).isEqualTo(200);

        assertThat(admin().post("/api/v1/tokens", "{\"name\":\"second-admin\",\"role\":\"ADMIN\"}").status()).isEqualTo(201);
        assertThat(admin().delete("/api/v1/tokens/second-admin", null).status()).isEqualTo(204);
    }

    @Test
    void aTokenMayExpireAndItsLifetimeIsChecked() {
        RestApi.Response created = admin().post("/api/v1/tokens",
                "{\"name\":\"short\",\"role\":\"VIEWER\",\"expiresInSeconds\":3600}");
        assertThat(created.status()).isEqualTo(201);
        Instant expiresAt = Instant.parse(created.json("expiresAt").asString());
        JsonNode listed = token("short");
        assertThat(listed.get("expiresAt").asString()).isEqualTo(expiresAt.toString());
        assertThat(listed.get("status").asString()).isEqualTo("ACTIVE");
        // both times come from the control plane's clock, read twice within one request
        assertThat(Duration.between(Instant.parse(listed.get("createdAt").asString()), expiresAt))
                .isBetween(Duration.ofSeconds(3599), Duration.ofSeconds(3601));
        assertThat(admin().as(created.json("token").asString()).get("/api/v1/apis").status()).isEqualTo(200);

        for (String lifetime : List.of("0", "-5", "315360001")) {
            RestApi.Response bad = admin().post("/api/v1/tokens",
                    "{\"name\":\"bad\",\"role\":\"VIEWER\",\"expiresInSeconds\":" + lifetime + "}");
            assertThat(bad.status()).isEqualTo(400);
            JsonNode error = bad.json("errors").get(0);
            assertThat(error.get("field").asString()).isEqualTo("expiresInSeconds");
            assertThat(error.get("rule").asString()).isEqualTo("must be between 1 and 315360000");
        }
        assertThat(admin().post("/api/v1/tokens", "{\"name\":\"bad\",\"role\":\"VIEWER\",\"expiresInSeconds\":\"soon\"}")
                .json("errors").get(0).get("field").asString()).isEqualTo("expiresInSeconds");
        assertThat(token("bad")).isNull();
    }

    private JsonNode token(String name) {
        for (JsonNode t : admin().get("/api/v1/tokens").body()) {
            if (t.get("name").asString().equals(name)) {
                return t;
            }
        }
        return null;
    }

    @Test
    void meNamesTheTokenAndItsRole() {
        RestApi.Response admin = admin().get("/api/v1/me");
        assertThat(admin.status()).isEqualTo(200);
        assertThat(admin.json("name").asString()).isEqualTo("bootstrap-admin");
        assertThat(admin.json("role").asString()).isEqualTo("ADMIN");

        RestApi.Response viewer = withRole("VIEWER").get("/api/v1/me");
        assertThat(viewer.status()).isEqualTo(200);
        assertThat(viewer.json("name").asString()).startsWith("viewer-");
        assertThat(viewer.json("role").asString()).isEqualTo("VIEWER");
        assertThat(withRole("OPERATOR").get("/api/v1/me").json("role").asString()).isEqualTo("OPERATOR");

        assertThat(anonymous().get("/api/v1/me").status()).isEqualTo(401);
    }

    @Test
    void aBodyThatIsNotSentAsJsonIsRefusedSayingWhatToSend() {
        RestApi op = withRole("OPERATOR");
        String body = "{\"name\":\"ct\",\"zone\":\"z\"}";
        // curl -d without -H sends application/x-www-form-urlencoded
        RestApi.Response form = op.postAs("/api/v1/agent-clusters", "application/x-www-form-urlencoded", body);
        assertThat(form.status()).isEqualTo(415);
        assertThat(form.json("message").asString()).contains("Content-Type: application/json")
                .contains("application/x-www-form-urlencoded").doesNotContain("Unexpected character");
        RestApi.Response none = op.postAs("/api/v1/agent-clusters", null, body);
        assertThat(none.status()).isEqualTo(415);
        assertThat(op.postAs("/api/v1/agent-clusters", "application/json; charset=utf-8", body).status()).isEqualTo(201);
    }

    @Test
    void anUnknownEnumValueIsAnsweredWithTheAllowedValues() {
        RestApi.Response role = admin().post("/api/v1/tokens", "{\"name\":\"x\",\"role\":\"SUPERUSER\"}");
        assertThat(role.status()).isEqualTo(400);
        JsonNode error = role.json("errors").get(0);
        assertThat(error.get("field").asString()).isEqualTo("role");
        assertThat(error.get("value").asString()).isEqualTo("SUPERUSER");
        assertThat(error.get("rule").asString()).isEqualTo("must be one of VIEWER, OPERATOR, ADMIN, AGENT, PUBLISHER");
        RestApi.Response scope = withRole("OPERATOR").post("/api/v1/flow-rules",
                "{\"id\":\"f\",\"scope\":\"EVERYWHERE\",\"method\":\"a.b\",\"qps\":1}");
        assertThat(scope.json("errors").get(0).get("rule").asString()).isEqualTo("must be one of API, APP, APP_API");
    }

    @Test
    void listsPageAndSearch() {
        RestApi op = withRole("OPERATOR");
        for (int i = 0; i < 5; i++) {
            assertThat(op.post("/api/v1/apis", api("taobao.page.n" + i, "paging", "http://127.0.0.1:9090")).status())
                    .isEqualTo(201);
        }
        RestApi.Response page = op.get("/api/v1/apis?q=taobao.page&offset=1&limit=2");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.json("total").asInt()).isEqualTo(5);
        assertThat(page.json("items")).hasSize(2);
        assertThat(page.json("items").get(0).get("key").asString()).isEqualTo("taobao.page.n1");
        assertThat(op.get("/api/v1/apis?q=TAOBAO.PAGE.N3").json("total").asInt()).isEqualTo(1); // any case
        assertThat(op.get("/api/v1/apis?q=paging").json("total").asInt()).isEqualTo(5); // a field, not the key
        assertThat(op.get("/api/v1/apis?q=3000").json("total").asInt()).isEqualTo(5); // a number, in any field
        assertThat(op.get("/api/v1/apis?q=127.0.0.1:9090").json("total").asInt()).isEqualTo(5); // a nested value
        // field names are not values: every API has "timeoutMillis" and "upstreams", none has them as a value
        assertThat(op.get("/api/v1/apis?q=timeoutMillis").json("total").asInt()).isZero();
        assertThat(op.get("/api/v1/apis?q=upstreams").json("total").asInt()).isZero();
        assertThat(op.get("/api/v1/apis?limit=0").status()).isEqualTo(400);
        assertThat(op.get("/api/v1/no-such-kind").status()).isEqualTo(404);
    }

    private static List<String> fields(RestApi.Response r) {
        List<String> out = new ArrayList<>();
        r.json("errors").forEach(e -> out.add(e.get("field").asString()));
        return out;
    }

    private static JsonNode error(RestApi.Response r, String field) {
        for (JsonNode e : r.json("errors")) {
            if (e.get("field").asString().equals(field)) {
                return e;
            }
        }
        throw new AssertionError("no error for field " + field + " in " + r.raw());
    }
}
