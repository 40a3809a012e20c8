package io.topaz.control.web;

import io.topaz.control.ControlPlaneTestSupport;
import io.topaz.control.RestApi;
import io.topaz.control.TestZooKeeper;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 19 point 9: the served OpenAPI describes every request body and every answer, and a body that does not read
 * is refused in the one error shape ({@code {"status","error","message","errors":[{"field","value","rule",…}]}}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenApiTest extends ControlPlaneTestSupport {

    /**
     * Actions that take no body (the path says everything), as docs/operations.md lists them under "The REST API's
     * reference".
     */
    static final Set<String> BODYLESS = Set.of(
            "POST /api/v1/apps/{appKey}/disable",
            "POST /api/v1/apps/{appKey}/enable",
            "POST /api/v1/apps/{appKey}/secret/retire-previous",
            "POST /api/v1/apps/secrets/reencrypt",
            "POST /api/v1/sessions/{id}/revoke");

    /** Answers without a body: 204 No Content (deletes and revocations). */
    static final Set<String> NO_CONTENT = Set.of(
            "DELETE /api/v1/tokens/{name}",
            "DELETE /api/v1/{kind}/{key}",
            "DELETE /api/v1/sync-targets/{name}/password");

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), TestZooKeeper.uniqueRoot());
    }

    @Test
    void everyRequestAndResponseIsDescribed() {
        RestApi.Response docs = admin().get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        JsonNode paths = docs.json("paths");
        List<String> problems = new ArrayList<>();
        int operations = 0;
        for (Map.Entry<String, JsonNode> path : paths.properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                String method = op.getKey().toUpperCase();
                if (!Set.of("GET", "POST", "PUT", "DELETE", "PATCH").contains(method)) {
                    continue;
                }
                operations++;
                String name = method + " " + path.getKey();
                JsonNode operation = op.getValue();
                if ((method.equals("POST") || method.equals("PUT")) && !BODYLESS.contains(name)) {
                    JsonNode schema = operation.path("requestBody").path("content").path("application/json").path("schema");
                    if (schema.isMissingNode() || !(schema.has("$ref") || schema.has("oneOf") || schema.has("type"))) {
                        problems.add(name + ": no JSON request body schema");
                    } else if ("string".equals(schema.path("type").asString(""))) {
                        problems.add(name + ": request body described as a string, not its record");
                    }
                }
                if (BODYLESS.contains(name) && operation.has("requestBody")) {
                    problems.add(name + ": listed as bodyless but takes a body");
                }
                boolean described = false;
                for (Map.Entry<String, JsonNode> response : operation.path("responses").properties()) {
                    if (!response.getKey().startsWith("2")) {
                        continue;
                    }
                    if (NO_CONTENT.contains(name) && response.getKey().equals("204")) {
                        described = true;
                    }
                    for (JsonNode content : response.getValue().path("content")) {
                        if (content.has("schema") && !content.path("schema").isEmpty()) {
                            described = true;
                        }
                    }
                }
                if (!described) {
                    problems.add(name + ": no 2xx response schema");
                }
            }
        }
        assertThat(operations).isGreaterThan(40);
        assertThat(problems).isEmpty();
        // the records are described field by field
        JsonNode schemas = docs.json("components").get("schemas");
        assertThat(schemas.get("CreateTokenRequest").get("properties").properties())
                .extracting(Map.Entry::getKey).contains("name", "role", "expiresInSeconds");
        assertThat(schemas.get("PublishRequest").get("properties").has("draftRevision")).isTrue();
    }

    @Test
    void aBodyThatDoesNotReadIsRefusedInTheOneErrorShape() {
        assertError(admin().post("/api/v1/tokens", "{\"name\":"), "body", null);
        assertError(admin().post("/api/v1/tokens", ""), "body", "is required (a JSON object)");
        assertError(admin().post("/api/v1/tokens", "null"), "body", "is required (a JSON object)");
        assertError(admin().post("/api/v1/tokens", "{\"nmae\":\"x\",\"role\":\"ADMIN\"}"), "nmae", null);
        assertError(admin().post("/api/v1/tokens", "{\"name\":\"x\",\"role\":\"KING\"}"), "role",
                "must be one of VIEWER, OPERATOR, ADMIN, AGENT, PUBLISHER");
        assertError(admin().post("/api/v1/tokens", "{\"name\":\"x\",\"role\":\"ADMIN\",\"expiresInSeconds\":\"soon\"}"),
                "expiresInSeconds", null);
        assertError(admin().post("/api/v1/apps", "[1,2]"), "body", null);
        assertError(admin().post("/api/v1/releases", "{\"draftRevision\":\"latest\"}"), "draftRevision", null);
        assertError(withRole("OPERATOR").post("/api/v1/messages/dead-letters/replay", "{\"app\":\"a\",\"ids\":[\"x\"]}"),
                "ids[0]", null);
        assertError(admin().post("/api/v1/apis", "{\"method\":1"), "body", null);
        // a validation rule of the service, same shape
        assertError(admin().post("/api/v1/tokens", "{\"name\":\"bad name!\",\"role\":\"ADMIN\"}"), "name", null);
    }

    private static void assertError(RestApi.Response r, String field, String rule) {
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        JsonNode body = r.body();
        assertThat(body.get("status").asInt()).isEqualTo(400);
        assertThat(body.get("error").asString()).isEqualTo("Bad Request");
        assertThat(body.get("message").asString()).isNotBlank();
        assertThat(body.get("errors")).as(r.raw()).hasSize(1);
        JsonNode e = body.get("errors").get(0);
        assertThat(e.get("field").asString()).as(r.raw()).isEqualTo(field);
        assertThat(e.has("value")).isTrue();
        assertThat(e.get("rule").asString()).as(r.raw()).isNotBlank();
        if (rule != null) {
            assertThat(e.get("rule").asString()).isEqualTo(rule);
        }
        assertThat(r.raw()).doesNotContain("tools.jackson").doesNotContain("io.topaz").doesNotContain("Exception");
    }
}
