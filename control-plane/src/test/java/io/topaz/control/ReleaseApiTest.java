package io.topaz.control;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Drafts become releases: diff, publish, history, rollback, and the audit trail of all of it. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReleaseApiTest extends ControlPlaneTestSupport {

    @DynamicPropertySource
    static void props(DynamicPropertyRegistry r) {
        register(r, TestZooKeeper.connectString(), TestZooKeeper.uniqueRoot());
    }

    @Test
    void publishDiffHistoryRollbackAndAudit() {
        RestApi op = withRole("OPERATOR");
        Instant start = Instant.now().minusSeconds(1);

        assertThat(op.post("/api/v1/apis", api("taobao.time.get", "basic", "http://127.0.0.1:9090")).status()).isEqualTo(201);
        assertThat(op.post("/api/v1/flow-rules", """
                {"id":"time-qps","scope":"API","method":"taobao.time.get","qps":100}""").status()).isEqualTo(201);

        JsonNode diff = op.get("/api/v1/draft/diff").body();
        assertThat(diff.get("changes")).hasSize(2);
        assertThat(diff.get("changes").get(0).get("type").asString()).isEqualTo("ADDED");

        assertThat(op.post("/api/v1/releases", "{}").status()).isEqualTo(400); // a message is required
        RestApi.Response r1 = op.publish("first API");
        assertThat(r1.status()).isEqualTo(201);
        long first = r1.json("number").asLong();
        assertThat(r1.json("live").asBoolean()).isTrue();
        assertThat(op.get("/api/v1/draft/diff").body().get("changes")).isEmpty();
        assertThat(op.publish("again").status()).isEqualTo(409);

        assertThat(op.put("/api/v1/apis/taobao.time.get", api("taobao.time.get", "basic", "http://127.0.0.1:9191"), 1L).status())
                .isEqualTo(200);
        JsonNode change = op.get("/api/v1/draft/diff").body().get("changes").get(0);
        assertThat(change.get("type").asString()).isEqualTo("MODIFIED");
        assertThat(change.get("before").get("upstreams").get(0).get("url").asString()).isEqualTo("http://127.0.0.1:9090");
        assertThat(change.get("after").get("upstreams").get(0).get("url").asString()).isEqualTo("http://127.0.0.1:9191");
        long second = op.publish("move upstream").json("number").asLong();
        assertThat(second).isEqualTo(first + 1);

        JsonNode history = op.get("/api/v1/releases").body();
        assertThat(history.get(0).get("number").asLong()).isEqualTo(second);
        assertThat(history.get(0).get("live").asBoolean()).isTrue();
        assertThat(history.get(1).get("live").asBoolean()).isFalse();
        assertThat(history.get(1).get("message").asString()).isEqualTo("first API");

        // Release content is kept: release 1 still has the old upstream.
        JsonNode old = op.get("/api/v1/releases/" + first).body();
        assertThat(old.get("items").get("apis").get(0).get("upstreams").get(0).get("url").asString())
                .isEqualTo("http://127.0.0.1:9090");

        RestApi.Response rollback = op.post("/api/v1/releases/" + first + "/rollback", "{\"message\":\"bad upstream\"}");
        assertThat(rollback.status()).isEqualTo(201);
        long third = rollback.json("number").asLong();
        assertThat(third).isEqualTo(second + 1);
        assertThat(rollback.json("rollbackOf").asLong()).isEqualTo(first);
        assertThat(op.get("/api/v1/releases/live").json("number").asLong()).isEqualTo(third);
        // The draft follows the rollback, so the next publish starts from the rolled-back content.
        assertThat(op.get("/api/v1/draft/diff").body().get("changes")).isEmpty();
        JsonNode api = op.get("/api/v1/apis/taobao.time.get").body();
        assertThat(api.get("value").get("upstreams").get(0).get("url").asString()).isEqualTo("http://127.0.0.1:9090");
        assertThat(api.get("version").asLong()).isEqualTo(3);
        assertThat(op.post("/api/v1/releases/999/rollback", "{}").status()).isEqualTo(404);

        // Audit: by item, by release, by time range.
        JsonNode byItem = op.get("/api/v1/audit?kind=apis&key=taobao.time.get").body().get("events");
        assertThat(byItem).hasSize(2);
        assertThat(byItem.get(0).get("action").asString()).isEqualTo("UPDATE");
        assertThat(byItem.get(1).get("action").asString()).isEqualTo("CREATE");
        assertThat(byItem.get(0).get("detail").asString()).contains("9090").contains("9191");
        JsonNode byRelease = op.get("/api/v1/audit?release=" + third).body().get("events");
        assertThat(byRelease).hasSize(1);
        assertThat(byRelease.get(0).get("action").asString()).isEqualTo("ROLLBACK");
        String from = URLEncoder.encode(start.toString(), StandardCharsets.UTF_8);
        String to = URLEncoder.encode(Instant.now().plusSeconds(1).toString(), StandardCharsets.UTF_8);
        JsonNode inRange = op.get("/api/v1/audit?from=" + from + "&to=" + to).body().get("events");
        assertThat(inRange.size()).isGreaterThanOrEqualTo(6);
        assertThat(op.get("/api/v1/audit?from=" + to + "&to=" + from).status()).isEqualTo(400);
        assertThat(op.get("/api/v1/audit?from=yesterday").status()).isEqualTo(400);
        String past = URLEncoder.encode(start.minusSeconds(3600).toString(), StandardCharsets.UTF_8);
        // (this test's own entry: the other tests of this class share the database and may have run within the second)
        assertThat(op.get("/api/v1/audit?kind=apis&key=taobao.time.get&from=" + past + "&to=" + from).body().get("events"))
                .isEmpty();
    }

    @Test
    void publishAndRollbackReadAMissingBodyAlikeAndBothRefuseAnIdenticalRelease() {
        RestApi op = withRole("OPERATOR");
        assertThat(op.post("/api/v1/apis", api("taobao.alike.get", "basic", "http://127.0.0.1:9090")).status())
                .isEqualTo(201);
        RestApi.Response noBody = op.post("/api/v1/releases", null);
        assertThat(noBody.status()).isEqualTo(400);
        assertThat(noBody.raw()).as("a missing body is read as {}: the message is what is missing")
                .isEqualTo(op.post("/api/v1/releases", "{}").raw());
        assertThat(noBody.json("message").asString()).contains("message is required");
        long published = op.publish("alike").json("number").asLong();

        // Rolling back to what is live would make an identical release, as a publish of an unchanged draft would.
        RestApi.Response same = op.post("/api/v1/releases/" + published + "/rollback", null);
        assertThat(same.status()).isEqualTo(409);
        assertThat(same.json("message").asString()).contains("nothing to roll back")
                .contains("same content as live release " + published);
        assertThat(op.publish("again").status()).isEqualTo(409);
        assertThat(op.get("/api/v1/releases/live").json("number").asLong()).isEqualTo(published);
    }

    @Test
    void aPublishSendsTheDraftRevisionItReviewedAndAnIdempotencyKeyMakesARepeatSafe() {
        RestApi op = withRole("OPERATOR");
        assertThat(op.post("/api/v1/apis", api("taobao.rev.get", "basic", "http://127.0.0.1:9090")).status()).isEqualTo(201);
        long reviewed = op.get("/api/v1/draft/diff").json("draftRevision").asLong();

        RestApi.Response missing = op.post("/api/v1/releases", "{\"message\":\"no revision\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json("errors").get(0).get("field").asString()).isEqualTo("draftRevision");
        assertThat(missing.json("errors").get(0).get("message").asString()).contains("GET /api/v1/draft/diff");

        assertThat(op.post("/api/v1/apis", api("taobao.rev2.get", "basic", "http://127.0.0.1:9090")).status()).isEqualTo(201);
        RestApi.Response stale = op.publish("stale", reviewed, null);
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.json("message").asString()).contains("moved since").contains("apis 'taobao.rev2.get'");

        long current = op.get("/api/v1/draft/diff").json("draftRevision").asLong();
        assertThat(current).isEqualTo(reviewed + 1);
        String key = java.util.UUID.randomUUID().toString();
        RestApi.Response first = op.publish("keyed", current, key);
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.json("draftRevision").asLong()).isEqualTo(current);
        RestApi.Response repeat = op.publish("keyed", current, key);
        assertThat(repeat.status()).as("a repeat answers the release made, it does not publish again").isEqualTo(200);
        assertThat(repeat.json("number").asLong()).isEqualTo(first.json("number").asLong());
        assertThat(op.get("/api/v1/releases/live").json("number").asLong()).isEqualTo(first.json("number").asLong());
        assertThat(op.get("/api/v1/audit?release=" + first.json("number").asLong()).body().get("events")).hasSize(1);
        assertThat(op.publish("keyed", current, "bad key with spaces").status()).isEqualTo(400);
    }

    @Test
    void publishRefusesBrokenReferences() {
        RestApi op = withRole("OPERATOR");
        assertThat(op.post("/api/v1/seller-groups", """
                {"name":"g1","bucketFrom":0,"bucketTo":512}""").status()).isEqualTo(201);
        assertThat(op.post("/api/v1/assignments", """
                {"sellerGroup":"g1","cluster":"no-such-cluster"}""").status()).isEqualTo(201);
        RestApi.Response r = op.publish("broken");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json("errors").get(0).get("field").asString()).isEqualTo("assignments['g1'].cluster");
        // the release number was only reserved: the answer names the draft, not a release that does not exist
        assertThat(r.json("message").asString()).startsWith("the draft (nothing was published)")
                .doesNotContainPattern("release \\d");
        assertThat(op.post("/api/v1/agent-clusters", "{\"name\":\"no-such-cluster\",\"zone\":\"z\"}").status()).isEqualTo(201);
        assertThat(op.publish("fixed").status()).isEqualTo(201);
    }
}
